"""linkage.text: the folded words a search compares."""

from __future__ import annotations

import unicodedata

import pytest

from linkage.text import fold, search_words, word_index


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Giảo cổ lam", ["giao", "co", "lam"]),
        ("Ba kích khô (rút lõi)", ["ba", "kich", "kho", "rut", "loi"]),
        ("ĐOAN HÙNG", ["doan", "hung"]),
        ("quả 1-1,2 kg", ["qua", "1", "1", "2", "kg"]),
        ("multi_spur / chicken", ["multi", "spur", "chicken"]),
        (unicodedata.normalize("NFD", "Trà hoa vàng"), ["tra", "hoa", "vang"]),
        ("  %  ", []),
        (None, []),
    ],
)
def test_search_words(text, words):
    assert search_words(text) == words


def test_word_index_keeps_each_word_once_between_spaces():
    text = word_index("Giảo cổ lam khô Yên Trị", "Giảo cổ lam khô", "Jiaogulan (dried herb / tea)")
    assert text == " giao co lam kho yen tri jiaogulan dried herb tea "
    assert word_index(None, "") == ""
    assert fold("Giảo cổ lam") in text
