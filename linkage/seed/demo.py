"""A believable demo province: cooperatives, member households, users and listings.

Deterministic: one `random.Random(2025)` drives every choice and all dates are fixed, so two
runs on empty databases give the same households, statuses and listings. The commune codes,
ethnic group codes and product codes are the real ones from linkage/data; the people,
cooperatives, registration and certificate numbers are invented.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from linkage.extensions import db
from linkage.seed.demo_orders import seed_orders_demo
from linkage.seed.demo_valuechain import seed_valuechain_demo
from linkage.seed.reference import seed_reference
from linkage.services.accounts import create_user
from linkage.services.cooperatives import register_cooperative
from linkage.services.errors import Conflict
from linkage.text import search_key
from models import (
    Area,
    BuyerKind,
    Certification,
    CertificationKind,
    Commune,
    Cooperative,
    Household,
    Listing,
    ListingStatus,
    Membership,
    OfficialStatus,
    OrderStatus,
    PovertyStandard,
    Product,
    Region,
    Role,
    Support,
    SupportProgramme,
    User,
)

DEMO_PASSWORD = "demo-pass-2025"  # noqa: S105 (public demo logins)
ADMIN_EMAIL = "admin@linkage.demo"
RANDOM_SEED = 2025
STATUS_REVIEWED_ON = date(2025, 12, 15)  # the annual poverty review of 2025
PRE_MERGER_REVIEW_ON = date(2025, 6, 30)  # records carried over the 1 July 2025 merger
APPROVED_AT = datetime(2025, 4, 1, 2, 0, tzinfo=UTC)
CONSENT_FROM = datetime(2025, 4, 4, 1, 30, tzinfo=UTC)
LISTED_FROM = datetime(2025, 4, 20, 2, 0, tzinfo=UTC)
HEALTH_CARD_VND = 1_263_600  # a year of health insurance: 4.5% of the 2,340,000 base salary x 12
# households whose situation changed since the review, for the officials to look at: officially
# not poor but now below the line ("worsened"), officially poor with fewer deprivations
# ("improved"); one of each lives in Đạo Trù
REVIEW_CASES = 6
REVIEW_COMMUNE = "08914"

# --- cooperatives ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CoopSpec:
    """One demo cooperative and the shape of its membership."""

    key: str
    name: str
    registration_no: str
    commune_code: str
    founded: int
    description: str
    address: str
    contact_name: str
    contact_phone: str
    households: int
    member_communes: tuple[tuple[str, int], ...]
    ethnic_mix: tuple[tuple[str, int], ...]
    main_product: str


COOPERATIVES: tuple[CoopSpec, ...] = (
    CoopSpec(
        "daotru", "HTX Dược liệu Đạo Trù", "2500571046", "08914", 2018,
        "Hợp tác xã trồng ba kích tím dưới tán rừng chân núi Tam Đảo, thu hái đủ 3 năm tuổi, "
        "sơ chế rút lõi và sấy tại xưởng của hợp tác xã. Thành viên chủ yếu là đồng bào "
        "Sán Dìu; cây giống và vốn vay từ Ngân hàng Chính sách xã hội.",
        "Thôn Tân Lập, xã Đạo Trù, tỉnh Phú Thọ", "Lâm Văn Tư", "0211 3500 101",
        56, (("08914", 80), ("08923", 20)),
        (("18", 55), ("01", 30), ("09", 10), ("02", 5)), "PT-BA-KICH-TUOI",
    ),
    CoopSpec(
        "tamdao", "HTX Trà hoa vàng Tam Đảo", "2500602318", "08911", 2020,
        "Trồng và chế biến trà hoa vàng ở sườn núi Tam Đảo: hoa tươi theo mùa đông, nụ và lá "
        "sấy khô. Hợp tác xã hướng dẫn thành viên canh tác hữu cơ, không dùng thuốc trừ cỏ.",
        "Xã Tam Đảo, tỉnh Phú Thọ", "Trần Thị Hồng", "0211 3500 102",
        34, (("08911", 55), ("08872", 45)),
        (("01", 50), ("18", 35), ("09", 15)), "PT-TRA-HOA-VANG-TUOI",
    ),
    CoopSpec(
        "caophong", "HTX Cam Cao Phong", "5400318872", "05089", 2015,
        "Hợp tác xã của các hộ trồng cam mang chỉ dẫn địa lý Cao Phong (CS1, cam Canh, cam "
        "Xã Đoài), sản xuất theo VietGAP, phân loại và đóng thùng tại vườn. Phần lớn thành "
        "viên là đồng bào Mường.",
        "Xã Cao Phong, tỉnh Phú Thọ", "Bùi Văn Thưởng", "0218 3800 103",
        44, (("05089", 60), ("05092", 25), ("05116", 15)),
        (("06", 72), ("01", 23), ("09", 5)), "PT-CAM-CAO-PHONG",
    ),
    CoopSpec(
        "yentri", "HTX Nông nghiệp Dược liệu Yên Trị", "5400297415", "05386", 2017,
        "Vùng dược liệu khoảng 8 ha: giảo cổ lam, xạ đen, lá khôi, dạ cẩm. Hợp tác xã nấu cao "
        "dược liệu theo công thức truyền thống; sản phẩm cao dạ cẩm đạt OCOP 3 sao.",
        "Xã Yên Trị, tỉnh Phú Thọ", "Quách Thị Lan", "0218 3800 104",
        38, (("05386", 70), ("05362", 15), ("05353", 15)),
        (("06", 55), ("01", 40), ("09", 5)), "PT-GIAO-CO-LAM-TUOI",
    ),
    CoopSpec(
        "tanson", "HTX Giảo cổ lam Tân Sơn", "2600874129", "08566", 2019,
        "Giảo cổ lam 5 lá trồng ven rừng quốc gia Xuân Sơn, thu hái và sấy theo hướng dẫn "
        "GACP-WHO; hợp tác xã còn nuôi gà nhiều cựa bản địa. Thành viên người Mường, Dao, "
        "Kinh và một số hộ Mông.",
        "Xã Tân Sơn, tỉnh Phú Thọ", "Hà Văn Khởi", "0210 3600 105",
        42, (("08566", 50), ("08545", 25), ("08542", 25)),
        (("06", 45), ("09", 30), ("01", 18), ("08", 7)), "PT-GIAO-CO-LAM-TUOI",
    ),
    CoopSpec(
        "longcoc", "HTX Chè Bát Tiên Long Cốc", "2600651903", "08620", 2012,
        "Đồi chè Bát Tiên ở Long Cốc, chế biến chè xanh theo quy trình VietGAP, đóng gói tại "
        "xưởng của hợp tác xã. Vùng đồi chè còn là điểm du lịch cộng đồng.",
        "Xã Long Cốc, tỉnh Phú Thọ", "Đinh Công Hiệp", "0210 3600 106",
        28, (("08620", 100),),
        (("06", 55), ("01", 30), ("09", 15)), "PT-CHE-BUP-TUOI",
    ),
    CoopSpec(
        "dahen", "HTX Chè Đá Hen", "2600419377", "08431", 2016,
        "Chè xanh móc câu vùng trung du Cẩm Khê, sao suốt thủ công và bằng máy; thu mua chè "
        "búp tươi của thành viên theo giá thỏa thuận đầu vụ.",
        "Xã Đồng Lương, tỉnh Phú Thọ", "Nguyễn Văn Lực", "0210 3600 107",
        34, (("08431", 70), ("08377", 30)),
        (("01", 85), ("06", 10), ("09", 5)), "PT-CHE-BUP-TUOI",
    ),
    CoopSpec(
        "doanhung", "HTX Bưởi Đoan Hùng", "2600392458", "07969", 2014,
        "Bưởi Sửu Chí Đám và bưởi Bằng Luân mang chỉ dẫn địa lý Đoan Hùng, sản xuất theo "
        "VietGAP; sản phẩm bưởi đạt OCOP 4 sao, bán theo kg hoặc theo quả.",
        "Xã Đoan Hùng, tỉnh Phú Thọ", "Phạm Thị Nga", "0210 3600 108",
        44, (("07969", 40), ("07999", 30), ("08038", 15), ("07996", 15)),
        (("01", 72), ("15", 12), ("09", 10), ("02", 6)), "PT-BUOI-DOAN-HUNG",
    ),
    CoopSpec(
        "sonluong", "HTX Nông lâm nghiệp Mỹ Lung", "2600728460", "08296", 2018,
        "Khoảng 6 ha nghệ, sả và hoài sơn ở vùng Mỹ Lung; hợp tác xã có nồi cất tinh dầu sả "
        "và dây chuyền làm tinh bột nghệ.",
        "Xã Sơn Lương, tỉnh Phú Thọ", "Đinh Văn Thống", "0210 3600 109",
        32, (("08296", 70), ("08290", 30)),
        (("06", 62), ("01", 28), ("09", 10)), "PT-NGHE-TUOI",
    ),
    CoopSpec(
        "phuho", "HTX Chè Phú Hộ", "2600517284", "07954", 2011,
        "Chè xanh từ vùng chè Phú Hộ cạnh Viện Khoa học Kỹ thuật Nông lâm nghiệp miền núi "
        "phía Bắc; thành viên áp dụng giống chè mới và quy trình sao chè sạch.",
        "Phường Phong Châu, tỉnh Phú Thọ", "Vũ Thị Hạnh", "0210 3600 110",
        18, (("07954", 100),),
        (("01", 95), ("06", 5)), "PT-CHE-BUP-TUOI",
    ),
)  # fmt: skip

PENDING_COOPERATIVE = {
    "name": "HTX Nông sản bản địa Mai Châu",
    "registration_no": "5400833157",
    "commune_code": "05200",
    "description": "Lợn đen bản địa và khoai sọ của các bản người Thái ở Mai Châu; "
    "hợp tác xã mới thành lập, đang chờ duyệt.",
    "address": "Xã Mai Châu, tỉnh Phú Thọ",
    "contact_name": "Lò Văn Khiêm",
    "contact_phone": "0218 3800 111",
    "contact_email": "manager.maichau@linkage.demo",
}

# households of the first cooperative that are also members of the second
DUAL_MEMBERSHIPS = (("daotru", "tamdao", 10), ("tanson", "longcoc", 8), ("yentri", "caophong", 5))

# --- certifications and listings ------------------------------------------------------------

VIETGAP_ISSUER = "Trung tâm Chứng nhận Phù hợp (QUACERT)"
GACP_ISSUER = "Cục Quản lý Y, Dược cổ truyền - Bộ Y tế"
OCOP_ISSUER = "UBND tỉnh Phú Thọ"

# (cooperative, kind, number, issuer, product code, valid from, valid to)
CERTIFICATIONS = (
    ("daotru", CertificationKind.GACP_WHO, "GACP-YDCT-2024-017", GACP_ISSUER,
     "PT-BA-KICH-TUOI", date(2024, 3, 15), date(2027, 3, 14)),
    ("daotru", CertificationKind.VIETGAP, "VietGAP-TT-11-05-26-0031", VIETGAP_ISSUER,
     "PT-BA-KICH-TUOI", date(2021, 6, 1), date(2024, 5, 31)),
    ("tamdao", CertificationKind.VIETGAP, "VietGAP-TT-11-01-26-0044", VIETGAP_ISSUER,
     "PT-TRA-HOA-VANG-TUOI", date(2025, 1, 10), date(2028, 1, 9)),
    ("caophong", CertificationKind.VIETGAP, "VietGAP-TT-11-09-17-0102", VIETGAP_ISSUER,
     "PT-CAM-CAO-PHONG", date(2023, 9, 1), date(2026, 8, 31)),
    ("caophong", CertificationKind.OCOP_4, "OCOP-HB-2023-0058", "UBND tỉnh Hòa Bình",
     "PT-CAM-CAO-PHONG", date(2023, 11, 20), date(2026, 11, 19)),
    ("yentri", CertificationKind.OCOP_3, "OCOP-HB-2024-0121", "UBND tỉnh Hòa Bình",
     "PT-CAO-DA-CAM", date(2024, 5, 20), date(2027, 5, 19)),
    ("yentri", CertificationKind.OCOP_3, "OCOP-HB-2022-0087", "UBND tỉnh Hòa Bình",
     "PT-CAO-XA-DEN", date(2022, 8, 1), date(2025, 7, 31)),
    ("yentri", CertificationKind.GACP_WHO, "GACP-YDCT-2025-009", GACP_ISSUER,
     "PT-GIAO-CO-LAM-TUOI", date(2025, 4, 2), date(2028, 4, 1)),
    ("tanson", CertificationKind.GACP_WHO, "GACP-YDCT-2023-041", GACP_ISSUER,
     "PT-GIAO-CO-LAM-TUOI", date(2023, 11, 6), date(2026, 11, 5)),
    ("longcoc", CertificationKind.VIETGAP, "VietGAP-TT-11-03-25-0067", VIETGAP_ISSUER,
     "PT-CHE-BUP-TUOI", date(2024, 3, 1), date(2027, 2, 28)),
    ("longcoc", CertificationKind.OCOP_3, "OCOP-PT-2025-0210", OCOP_ISSUER,
     "PT-CHE-XANH-KHO", date(2025, 9, 12), date(2028, 9, 11)),
    ("dahen", CertificationKind.OCOP_4, "OCOP-PT-2024-0176", OCOP_ISSUER,
     "PT-CHE-XANH-KHO", date(2024, 10, 8), date(2027, 10, 7)),
    ("dahen", CertificationKind.VIETGAP, "VietGAP-TT-11-06-25-0019", VIETGAP_ISSUER,
     "PT-CHE-BUP-TUOI", date(2022, 6, 15), date(2025, 6, 14)),
    ("doanhung", CertificationKind.OCOP_4, "OCOP-PT-2023-0093", OCOP_ISSUER,
     "PT-BUOI-DOAN-HUNG", date(2023, 12, 5), date(2026, 12, 4)),
    ("doanhung", CertificationKind.VIETGAP, "VietGAP-TT-11-04-25-0088", VIETGAP_ISSUER,
     "PT-BUOI-DOAN-HUNG", date(2024, 4, 1), date(2027, 3, 31)),
    ("sonluong", CertificationKind.VIETGAP, "VietGAP-TT-11-02-25-0123", VIETGAP_ISSUER,
     "PT-NGHE-TUOI", date(2025, 2, 20), date(2028, 2, 19)),
    ("phuho", CertificationKind.OCOP_3, "OCOP-PT-2025-0188", OCOP_ISSUER,
     "PT-CHE-XANH-KHO", date(2025, 7, 1), date(2028, 6, 30)),
)  # fmt: skip


@dataclass(frozen=True)
class ListingSpec:
    """One demo listing; certifications are named by their numbers."""

    cooperative: str
    product: str
    title: str
    description: str
    grade: str | None
    unit_price_vnd: int
    quantity: str
    min_order: str
    harvest: tuple[date, date] | None
    status: ListingStatus
    certifications: tuple[str, ...] = ()


A, D, P, S = ListingStatus.ACTIVE, ListingStatus.DRAFT, ListingStatus.PAUSED, ListingStatus.SOLD_OUT
WINTER = (date(2025, 10, 1), date(2026, 3, 31))
GACP_DT, GACP_YT, GACP_TS = "GACP-YDCT-2024-017", "GACP-YDCT-2025-009", "GACP-YDCT-2023-041"

LISTINGS: tuple[ListingSpec, ...] = (
    ListingSpec("daotru", "PT-BA-KICH-KHO", "Ba kích khô rút lõi Đạo Trù - loại 1",
                "Củ ba kích tím 3 năm tuổi, rút lõi, sấy dưới 60 °C, đóng túi 1 kg.",
                "Loại 1", 520_000, "180.500", "5", WINTER, A, (GACP_DT,)),
    ListingSpec("daotru", "PT-BA-KICH-KHO", "Ba kích khô loại 2 (củ nhỏ)",
                "Củ nhỏ, rút lõi, phù hợp ngâm rượu và chế biến.",
                "Loại 2", 340_000, "95.250", "5", WINTER, A, (GACP_DT,)),
    ListingSpec("daotru", "PT-BA-KICH-TUOI", "Ba kích tươi trồng dưới tán rừng Tam Đảo",
                "Củ tươi đào theo đơn, giao trong 48 giờ; tối thiểu 50 kg.",
                None, 140_000, "1250", "50", WINTER, A, (GACP_DT,)),
    ListingSpec("daotru", "PT-LA-KHOI-KHO", "Lá khôi tía khô Đạo Trù",
                "Lá khôi nhung trồng trong vườn nhà, phơi âm can.",
                None, 250_000, "40", "2", None, D),
    ListingSpec("tamdao", "PT-TRA-HOA-VANG-TUOI", "Hoa trà hoa vàng tươi vụ đông",
                "Hoa hái buổi sáng, bảo quản lạnh, giao trong ngày tại Vĩnh Yên và Việt Trì.",
                None, 600_000, "35.500", "1", (date(2025, 12, 1), date(2026, 2, 28)), A,
                ("VietGAP-TT-11-01-26-0044",)),
    ListingSpec("tamdao", "PT-TRA-HOA-VANG-KHO", "Nụ trà hoa vàng sấy lạnh Tam Đảo",
                "Nụ hoa sấy lạnh giữ màu vàng, đóng hộp 100 g hoặc túi 1 kg.",
                "Nụ", 3_200_000, "8.400", "0.500", WINTER, A, ("VietGAP-TT-11-01-26-0044",)),
    ListingSpec("tamdao", "PT-TRA-HOA-VANG-KHO", "Trà lá hoa vàng sấy khô",
                "Lá trà hoa vàng sao khô, pha trà hằng ngày.",
                "Lá", 350_000, "62", "2", None, A),
    ListingSpec("caophong", "PT-CAM-CAO-PHONG", "Cam Cao Phong CS1 - chỉ dẫn địa lý",
                "Cam CS1 vỏ mỏng, mọng nước, đóng thùng 10 kg, tem truy xuất.",
                "Loại 1", 32_000, "12000", "100", (date(2025, 11, 1), date(2026, 1, 31)), A,
                ("VietGAP-TT-11-09-17-0102", "OCOP-HB-2023-0058")),
    ListingSpec("caophong", "PT-CAM-CAO-PHONG", "Cam Canh Cao Phong",
                "Cam Canh ngọt đậm, quả nhỏ; đã hết hàng vụ này.",
                "Loại 2", 28_000, "0", "100", (date(2025, 10, 15), date(2025, 12, 31)), S),
    ListingSpec("caophong", "PT-MIA-TIM", "Mía tím Hòa Bình (bán theo cây)",
                "Mía tím ăn tươi, cây dài 2,5-3 m, bán buôn dịp Tết.",
                None, 12_000, "8000", "100", (date(2025, 12, 1), date(2026, 2, 15)), A),
    ListingSpec("yentri", "PT-GIAO-CO-LAM-KHO", "Giảo cổ lam khô Yên Trị",
                "Thân lá giảo cổ lam sấy khô, cắt khúc 3-5 cm.",
                None, 220_000, "150", "5", None, A, (GACP_YT,)),
    ListingSpec("yentri", "PT-CAO-DA-CAM", "Cao dạ cẩm Yên Trị - OCOP 3 sao",
                "Cao đặc nấu từ dạ cẩm tươi, lọ 100 g; bán buôn theo kg.",
                None, 1_800_000, "25.600", "1", None, A, ("OCOP-HB-2024-0121",)),
    ListingSpec("yentri", "PT-CAO-XA-DEN", "Cao xạ đen Yên Trị",
                "Tạm dừng bán trong khi gia hạn chứng nhận OCOP.",
                None, 1_600_000, "18", "1", None, P, ("OCOP-HB-2022-0087",)),
    ListingSpec("yentri", "PT-XA-DEN-TUOI", "Xạ đen tươi (thân, lá)",
                "Thân lá xạ đen cắt theo đơn, giao cho cơ sở chế biến.",
                None, 30_000, "2000", "50", None, A),
    ListingSpec("tanson", "PT-GIAO-CO-LAM-KHO", "Giảo cổ lam 5 lá khô Tân Sơn",
                "Giảo cổ lam 5 lá vị đắng, sấy theo quy trình GACP-WHO.",
                "Loại 1", 260_000, "320.750", "10", None, A, (GACP_TS,)),
    ListingSpec("tanson", "PT-GIAO-CO-LAM-TUOI", "Giảo cổ lam tươi thu hái theo GACP",
                "Thu hái theo lứa 60 ngày, giao cho nhà máy chiết xuất.",
                None, 45_000, "1800", "100", (date(2025, 9, 1), date(2026, 5, 31)), A, (GACP_TS,)),
    ListingSpec("tanson", "PT-GA-NHIEU-CUA", "Gà nhiều cựa Tân Sơn (gà sống)",
                "Gà thả đồi 8-10 tháng tuổi, bán theo kg hơi.",
                None, 220_000, "450", "10", None, A),
    ListingSpec("longcoc", "PT-CHE-XANH-KHO", "Chè xanh Bát Tiên Long Cốc - đặc biệt",
                "Búp 1 tôm 2 lá, sao suốt, nước xanh vàng, hậu ngọt.",
                "Đặc biệt", 380_000, "260", "5", None, A,
                ("VietGAP-TT-11-03-25-0067", "OCOP-PT-2025-0210")),
    ListingSpec("longcoc", "PT-CHE-BUP-TUOI", "Chè búp tươi Long Cốc vụ xuân",
                "Chè búp tươi cho cơ sở chế biến, hái theo đơn từ tháng 3.",
                None, 12_000, "25000", "500", (date(2026, 3, 1), date(2026, 10, 31)), D,
                ("VietGAP-TT-11-03-25-0067",)),
    ListingSpec("dahen", "PT-CHE-XANH-KHO", "Chè xanh Đá Hen - chè móc câu",
                "Chè móc câu sao bằng chảo gang, đóng túi hút chân không 500 g.",
                "Loại 1", 250_000, "520", "5", None, A, ("OCOP-PT-2024-0176",)),
    ListingSpec("dahen", "PT-CHE-XANH-KHO", "Chè xanh Đá Hen loại phổ thông",
                "Chè xanh uống hằng ngày, bán buôn cho đại lý.",
                "Loại 2", 160_000, "1150.500", "20", None, A),
    ListingSpec("doanhung", "PT-BUOI-DOAN-HUNG", "Bưởi Sửu Chí Đám - chỉ dẫn địa lý Đoan Hùng",
                "Bưởi Sửu quả 0,8-1,2 kg, múi ráo, ngọt mát, có tem truy xuất.",
                "Loại 1", 45_000, "8000", "50", (date(2025, 9, 15), date(2026, 1, 31)), A,
                ("OCOP-PT-2023-0093", "VietGAP-TT-11-04-25-0088")),
    ListingSpec("doanhung", "PT-BUOI-DOAN-HUNG", "Bưởi Bằng Luân Đoan Hùng",
                "Bưởi Bằng Luân vỏ mỏng, để được lâu, thích hợp vận chuyển xa.",
                "Loại 1", 38_000, "5000", "50", (date(2025, 9, 15), date(2026, 1, 31)), A,
                ("VietGAP-TT-11-04-25-0088",)),
    ListingSpec("doanhung", "PT-BUOI-DOAN-HUNG", "Bưởi Đoan Hùng quà Tết (quả 1-1,2 kg)",
                "Bưởi chọn quả đẹp, hộp quà 2 quả, giao trước Tết Nguyên đán.",
                "Quà tặng", 60_000, "1500", "20", (date(2026, 1, 10), date(2026, 2, 10)), D,
                ("OCOP-PT-2023-0093",)),
    ListingSpec("sonluong", "PT-TINH-BOT-NGHE", "Tinh bột nghệ vàng Mỹ Lung",
                "Tinh bột nghệ lọc thủ công, sấy lạnh, túi 500 g.",
                None, 450_000, "60", "1", None, A, ("VietGAP-TT-11-02-25-0123",)),
    ListingSpec("sonluong", "PT-TINH-DAU-SA", "Tinh dầu sả Mỹ Lung",
                "Tinh dầu sả chưng cất tại nồi cất của hợp tác xã, can 1 lít.",
                None, 480_000, "85.500", "1", None, A),
    ListingSpec("sonluong", "PT-HOAI-SON-KHO", "Hoài sơn khô thái lát",
                "Củ hoài sơn thái lát, sấy khô, đóng bao 10 kg.",
                None, 150_000, "210", "10", None, A),
    ListingSpec("sonluong", "PT-NGHE-TUOI", "Nghệ vàng tươi",
                "Nghệ củ tươi; đã bán hết vụ 2025.",
                None, 15_000, "0", "200", (date(2025, 11, 1), date(2026, 1, 15)), S,
                ("VietGAP-TT-11-02-25-0123",)),
    ListingSpec("phuho", "PT-CHE-XANH-KHO", "Chè xanh Phú Hộ búp chọn",
                "Chè xanh từ giống chè mới của vùng Phú Hộ, sao sạch, túi 200 g và 1 kg.",
                "Loại 1", 200_000, "300", "5", None, A, ("OCOP-PT-2025-0188",)),
)  # fmt: skip

# --- people ---------------------------------------------------------------------------------

# (email, name, cooperatives managed)
MANAGERS = (
    ("manager.daotru@linkage.demo", "Lâm Văn Tư", ("daotru",)),
    ("manager.tamdao@linkage.demo", "Trần Thị Hồng", ("tamdao",)),
    ("manager.caophong@linkage.demo", "Bùi Văn Thưởng", ("caophong",)),
    ("manager.yentri@linkage.demo", "Quách Thị Lan", ("yentri",)),
    ("manager.tanson@linkage.demo", "Hà Văn Khởi", ("tanson", "longcoc")),
    ("manager.dahen@linkage.demo", "Nguyễn Văn Lực", ("dahen",)),
    ("manager.doanhung@linkage.demo", "Phạm Thị Nga", ("doanhung",)),
    ("manager.myluong@linkage.demo", "Đinh Văn Thống", ("sonluong",)),
    ("manager.phuho@linkage.demo", "Vũ Thị Hạnh", ("phuho",)),
)
PENDING_MANAGER = ("manager.maichau@linkage.demo", "Lò Văn Khiêm")

# (email, name, organisation, kind, locale)
BUYERS = (
    ("buyer.duoclieu@linkage.demo", "Nguyễn Minh Tuấn", "Công ty CP Dược liệu Hùng Vương",
     BuyerKind.PHARMACEUTICAL, "vi"),
    ("buyer.benhvien@linkage.demo", "Lê Thị Thanh Hương",
     "Bệnh viện Y học cổ truyền Sông Thao", BuyerKind.HOSPITAL, "vi"),
    ("buyer.nongsan@linkage.demo", "Đỗ Văn Hải", "Công ty TNHH Nông sản Đất Tổ",
     BuyerKind.TRADER, "vi"),
    ("buyer.extracts@linkage.demo", "Hoàng Ngọc Anh", "Lotus Herbal Extracts Co., Ltd.",
     BuyerKind.PROCESSOR, "en"),
)  # fmt: skip

HOA_BINH_OFFICIAL_COMMUNES = ("05089", "05092", "05116", "05386")
# (email, name, province-wide, communes, what the login shows)
OFFICIALS = (
    ("official.tinh@linkage.demo", "Đỗ Thị Thu Hà", True, (),
     "province-wide impact (Sở Nông nghiệp và Môi trường)"),
    ("official.daotru@linkage.demo", "Trương Văn Sáng", False, ("08914",),
     "Đạo Trù commune only"),
    ("official.hoabinh@linkage.demo", "Xa Thị Mận", False, HOA_BINH_OFFICIAL_COMMUNES,
     "VBSP officer: Cao Phong, Thung Nai, Mường Thàng, Yên Trị"),
)  # fmt: skip

SURNAMES = {
    "01": ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Phan",
           "Hà", "Dương", "Lưu", "Nguyễn", "Nguyễn"),
    "02": ("Hoàng", "Nông", "Ma", "Lương", "Hà", "Lục"),
    "06": ("Bùi", "Đinh", "Quách", "Hà", "Xa", "Bạch", "Cao", "Bùi", "Đinh"),
    "08": ("Giàng", "Vàng", "Sùng", "Thào", "Lý", "Hạng"),
    "09": ("Triệu", "Bàn", "Đặng", "Lý", "Phùng", "Chảo", "Triệu", "Bàn"),
    "15": ("Lý", "Trương", "Hoàng", "La", "Trần", "Đỗ"),
    "18": ("Lâm", "Trương", "Diệp", "Lưu", "Tạ", "Dương", "Hoàng", "Lý"),
}  # fmt: skip
KINH_MALE = ("Hùng", "Dũng", "Thắng", "Tuấn", "Hải", "Sơn", "Long", "Bình", "Minh", "Hòa",
             "Tiến", "Cường", "Thành", "Chiến", "Đức", "Khánh", "Toàn", "Nam", "Quý", "Phúc",
             "Hiếu", "Vinh", "Lợi", "Tâm")  # fmt: skip
KINH_FEMALE = ("Lan", "Hoa", "Hương", "Mai", "Hằng", "Thu", "Nga", "Liên", "Tuyết", "Xuân",
               "Hạnh", "Dung", "Huệ", "Yến", "Thảo", "Nhung")  # fmt: skip
GIVEN_NAMES = {
    "06": (("Ót", "Khởi", "Thưởng", "Lực", "Thống", "Dục", "Chình", "Hiệp", "Hùng", "Tiến",
            "Doãn", "Hợp", "Nghĩa", "Sơn", "Thắng", "Lâm"),
           ("Lan", "Dung", "Ón", "Hoa", "Xuân", "Liên", "Nhàn", "Thiêm", "Hằng", "Mận", "Yến")),
    "08": (("Páo", "Chử", "Dình", "Của", "Sính", "Chá", "Lử", "Pó"),
           ("Mỷ", "Súa", "Dợ", "Mai", "Chú")),
    "09": (("Sinh", "Quý", "Tài", "Phin", "Lìn", "Vần", "Chòi", "Kiên", "Phú", "Lợi", "Minh"),
           ("Mùi", "Sâm", "Phương", "Xuân", "Hoa", "Lan", "Mây", "Chiêm")),
    "18": (("Tư", "Sáng", "Lộc", "Thắng", "Ngọc", "Chiến", "Lương", "Bình", "Định", "Hùng"),
           ("Hạnh", "Tâm", "Lan", "Nhàn", "Mến", "Quyên", "Hoa")),
}  # fmt: skip
KINH_MIDDLE_MALE = ("Văn", "Văn", "Văn", "Đức", "Minh", "Hữu", "Quang", "Xuân", "Ngọc")
MONG_MIDDLE_MALE = ("A", "Seo", "Mí", "A")
MEMBER_WEIGHTS = (3, 9, 20, 27, 20, 11, 6, 4)  # households of 1..8 persons
MINORITY_MEMBER_WEIGHTS = (2, 7, 16, 25, 22, 14, 9, 5)


@dataclass
class DemoSummary:
    """What `seed_demo` built, and the logins to try it with."""

    cooperatives: int
    pending_cooperatives: int
    communes: int
    former_provinces: int
    households: int
    statuses: dict[OfficialStatus, int]
    ethnic_groups: int
    memberships: int
    supports: int
    certifications: int
    listings: int
    active_listings: int
    users: int
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    orders: dict[OrderStatus, int] = field(default_factory=dict)
    collections: int = 0

    def describe(self) -> str:
        """A short human summary with counts."""
        poor = self.statuses.get(OfficialStatus.POOR, 0)
        near = self.statuses.get(OfficialStatus.NEAR_POOR, 0)
        not_poor = self.statuses.get(OfficialStatus.NOT_POOR, 0)
        return (
            f"Demo province: {self.cooperatives} approved cooperatives "
            f"(+{self.pending_cooperatives} pending) in {self.communes} communes of "
            f"{self.former_provinces} former provinces; {self.households} households "
            f"(poor {poor}, near-poor {near}, not poor {not_poor}; "
            f"{self.ethnic_groups} ethnic groups), {self.memberships} memberships, "
            f"{self.supports} policy supports; {self.certifications} certifications, "
            f"{self.listings} listings ({self.active_listings} active); {self.users} users; "
            f"{self.collections} collections; "
            f"{sum(self.orders.values())} orders ("
            + ", ".join(f"{state.value} {count}" for state, count in sorted(self.orders.items()))
            + ")."
        )


def demo_loaded() -> bool:
    """True when the demo data is already there (its admin user exists)."""
    return db.session.scalar(db.select(User.id).where(User.email == ADMIN_EMAIL)) is not None


def seed_demo() -> DemoSummary:
    """Reference data plus the demo province; flushes, the caller commits."""
    seed_reference()
    if demo_loaded():
        raise Conflict(f"The demo is already loaded ({ADMIN_EMAIL} exists).")
    rng = random.Random(RANDOM_SEED)
    products = {p.code: p for p in db.session.scalars(db.select(Product))}
    admin = create_user(ADMIN_EMAIL, DEMO_PASSWORD, Role.ADMIN, name="Quản trị Linkage")
    cooperatives = _register_cooperatives(admin)
    managers = _create_managers(cooperatives)
    pending = _register_pending_cooperative()
    buyers = _create_buyers()
    officials = _create_officials()
    certifications = _add_certifications(cooperatives, products)
    households, memberships = _add_households(rng, cooperatives, managers)
    supports = _add_supports(rng, households, products)
    listings = _add_listings(cooperatives, products, certifications)
    db.session.flush()
    logins = _logins(admin, managers, pending, buyers, officials, households)
    member_communes = {h.commune_code for h, _ in households}
    communes = db.session.scalars(
        db.select(Commune).where(Commune.code.in_(member_communes | _coop_communes()))
    ).all()
    collections = seed_valuechain_demo(cooperatives)
    order_states = seed_orders_demo()
    return DemoSummary(
        cooperatives=len(cooperatives),
        pending_cooperatives=1,
        communes=len(communes),
        former_provinces=len({c.former_province for c in communes}),
        households=len(households),
        statuses=dict(Counter(h.official_status for h, _ in households)),
        ethnic_groups=len({h.ethnic_group_code for h, _ in households}),
        memberships=len(memberships),
        supports=len(supports),
        certifications=len(certifications),
        listings=len(listings),
        active_listings=sum(1 for listing in listings if listing.status == ListingStatus.ACTIVE),
        users=1 + len(MANAGERS) + 1 + len(buyers) + len(officials),
        logins=logins,
        orders=dict(order_states),
        collections=collections,
    )


def _coop_communes() -> set[str]:
    return {spec.commune_code for spec in COOPERATIVES}


def _register_cooperatives(admin: User) -> dict[str, Cooperative]:
    """The approved cooperatives, registered by the admin (approved at once)."""
    cooperatives: dict[str, Cooperative] = {}
    for index, spec in enumerate(COOPERATIVES):
        manager_email = next(email for email, _, keys in MANAGERS if spec.key in keys)
        cooperative = register_cooperative(
            admin,
            name=spec.name,
            registration_no=spec.registration_no,
            commune_code=spec.commune_code,
            description=spec.description,
            address=spec.address,
            contact_name=spec.contact_name,
            contact_phone=spec.contact_phone,
            contact_email=manager_email,
        )
        cooperative.created_at = APPROVED_AT + timedelta(hours=index)
        cooperative.status_changed_at = cooperative.created_at
        cooperatives[spec.key] = cooperative
    return cooperatives


def _create_managers(cooperatives: dict[str, Cooperative]) -> dict[str, User]:
    """One manager per cooperative (one of them runs two), keyed by cooperative."""
    by_cooperative: dict[str, User] = {}
    for email, name, keys in MANAGERS:
        user = create_user(
            email,
            DEMO_PASSWORD,
            Role.MANAGER,
            name=name,
            cooperative_ids=[cooperatives[key].id for key in keys],
        )
        for key in keys:
            by_cooperative[key] = user
    return by_cooperative


def _register_pending_cooperative() -> User:
    """A cooperative registered by its own manager, waiting for the admin's approval."""
    email, name = PENDING_MANAGER
    manager = create_user(email, DEMO_PASSWORD, Role.MANAGER, name=name)
    cooperative = register_cooperative(manager, **PENDING_COOPERATIVE)
    cooperative.created_at = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
    return manager


def _create_buyers() -> list[User]:
    return [
        create_user(
            email,
            DEMO_PASSWORD,
            Role.BUYER,
            name=name,
            buyer_org=organisation,
            buyer_kind=kind,
            locale=locale,
        )
        for email, name, organisation, kind, locale in BUYERS
    ]


def _create_officials() -> list[User]:
    return [
        create_user(
            email,
            DEMO_PASSWORD,
            Role.OFFICIAL,
            name=name,
            province_wide=province_wide,
            commune_codes=list(communes),
        )
        for email, name, province_wide, communes, _ in OFFICIALS
    ]


def _add_certifications(
    cooperatives: dict[str, Cooperative], products: dict[str, Product]
) -> dict[str, Certification]:
    """Certificates by number: VietGAP, GACP-WHO and OCOP, some of them expired."""
    certifications = {
        number: Certification(
            cooperative=cooperatives[key],
            kind=kind,
            number=number,
            issuer=issuer,
            product=products[product_code],
            valid_from=valid_from,
            valid_to=valid_to,
        )
        for key, kind, number, issuer, product_code, valid_from, valid_to in CERTIFICATIONS
    }
    db.session.add_all(certifications.values())
    return certifications


# --- households -----------------------------------------------------------------------------


def _head_name(rng: random.Random, ethnic_code: str) -> str:
    """A plausible name of a household head for the ethnic group."""
    female = rng.random() < 0.22
    surname = rng.choice(SURNAMES.get(ethnic_code, SURNAMES["01"]))
    male_names, female_names = GIVEN_NAMES.get(ethnic_code, (KINH_MALE, KINH_FEMALE))
    if female:
        return f"{surname} Thị {rng.choice(female_names)}"
    if ethnic_code == "08":
        middle = rng.choice(MONG_MIDDLE_MALE)
    elif ethnic_code == "01":
        middle = rng.choice(KINH_MIDDLE_MALE)
    else:
        middle = "Văn"
    return f"{surname} {middle} {rng.choice(male_names)}"


def _official_status(rng: random.Random, commune: Commune, minority: bool) -> OfficialStatus:
    """Poverty is more frequent in mountain communes and among ethnic minorities."""
    p_poor = 0.12 + (0.12 if commune.region == Region.MOUNTAIN else 0.0)
    p_poor += 0.08 if minority else 0.0
    p_poor -= 0.06 if commune.area == Area.URBAN else 0.0
    p_near = 0.19 + (0.03 if commune.region == Region.MOUNTAIN else 0.0)
    draw = rng.random()
    if draw < p_poor:
        return OfficialStatus.POOR
    if draw < p_poor + p_near:
        return OfficialStatus.NEAR_POOR
    return OfficialStatus.NOT_POOR


def _deprivations(rng: random.Random, status: OfficialStatus, threshold: int) -> int:
    """Deprivation counts consistent with the status (poor at or above the threshold)."""
    if status == OfficialStatus.POOR:
        return threshold + rng.choices((0, 1, 2, 3, 4), (35, 30, 18, 12, 5))[0]
    if status == OfficialStatus.NEAR_POOR:
        return rng.choices(range(threshold), (1,) + (2,) * (threshold - 1))[0]
    return rng.choices((0, 1, 2, 3, 4), (45, 30, 15, 7, 3))[0]


def _baseline_income(rng: random.Random, status: OfficialStatus, line: int, region: Region) -> int:
    """Income per person per month, below the poverty line for poor and near-poor."""
    if status == OfficialStatus.POOR:
        share = rng.uniform(0.45, 0.95)
    elif status == OfficialStatus.NEAR_POOR:
        share = rng.uniform(0.78, 1.0)
    else:
        share = rng.uniform(1.08, 2.1) * (1.0 if region == Region.MOUNTAIN else 1.15)
    income = round(line * share / 10_000) * 10_000
    if status == OfficialStatus.NOT_POOR:
        return max(income, line + 10_000)
    return min(income, line)


def _joined_on(rng: random.Random, founded: int) -> date:
    year = rng.randint(max(founded, 2019), 2025)
    month = rng.randint(1, 10 if year == 2025 else 12)
    return date(year, month, rng.randint(1, 28))


def _add_households(
    rng: random.Random, cooperatives: dict[str, Cooperative], managers: dict[str, User]
) -> tuple[list[tuple[Household, CoopSpec]], list[Membership]]:
    """Member households of every cooperative, with their memberships."""
    codes = {code for spec in COOPERATIVES for code, _ in spec.member_communes}
    communes = {
        c.code: c for c in db.session.scalars(db.select(Commune).where(Commune.code.in_(codes)))
    }
    standard = db.session.scalars(
        db.select(PovertyStandard).where(
            PovertyStandard.valid_from <= STATUS_REVIEWED_ON,
            PovertyStandard.valid_to >= STATUS_REVIEWED_ON,
        )
    ).one()
    sequence: Counter[str] = Counter()
    households: list[tuple[Household, CoopSpec]] = []
    memberships: list[Membership] = []
    for coop_index, spec in enumerate(COOPERATIVES):
        manager = managers[spec.key]
        commune_codes, commune_weights = zip(*spec.member_communes, strict=True)
        ethnic_codes, ethnic_weights = zip(*spec.ethnic_mix, strict=True)
        consent_start = CONSENT_FROM + timedelta(days=3 * coop_index)
        for index in range(spec.households):
            commune = communes[rng.choices(commune_codes, commune_weights)[0]]
            ethnic_code = rng.choices(ethnic_codes, ethnic_weights)[0]
            minority = ethnic_code != "01"
            status = _official_status(rng, commune, minority)
            sequence[commune.code] += 1
            weights = MINORITY_MEMBER_WEIGHTS if minority else MEMBER_WEIGHTS
            needs_review = rng.random() < 0.03
            consent_at = consent_start + timedelta(minutes=11 * index)
            household = Household(
                code=f"HH-{commune.code}-{sequence[commune.code]:04d}",
                head_name=_head_name(rng, ethnic_code),
                commune=commune,
                commune_code=commune.code,
                members=rng.choices(range(1, 9), weights)[0],
                ethnic_group_code=ethnic_code,
                official_status=status,
                official_status_on=PRE_MERGER_REVIEW_ON if needs_review else STATUS_REVIEWED_ON,
                deprivations=_deprivations(rng, status, standard.deprivation_threshold),
                baseline_income_vnd=_baseline_income(
                    rng, status, standard.line_for(commune.area), commune.region
                ),
                meritorious=rng.random() < 0.03,
                needs_review=needs_review,
                consent_at=consent_at,
                consent_by_id=manager.id,
                consent_note=(
                    "Hồ sơ chuyển từ xã cũ sau sắp xếp đơn vị hành chính, cần rà soát lại."
                    if needs_review
                    else "Chủ hộ ký phiếu đồng ý tại buổi họp thành viên hợp tác xã."
                ),
                created_at=consent_at,
                updated_at=consent_at,
            )
            households.append((household, spec))
            memberships.append(
                Membership(
                    household=household,
                    cooperative=cooperatives[spec.key],
                    joined_on=_joined_on(rng, spec.founded),
                )
            )
    memberships += _dual_memberships(rng, households, cooperatives)
    _changed_since_review([h for h, _ in households], standard)
    db.session.add_all(h for h, _ in households)
    db.session.add_all(memberships)
    return households, memberships


def _changed_since_review(households: list[Household], standard: PovertyStandard) -> None:
    """A few households whose situation no longer matches their official status.

    Not poor officially, but their income fell below the line (an illness, a lost harvest):
    with little linkage income the projection says they worsened. Poor officially, but with
    fewer deprivations since (a repaired house, clean water) and income still below the
    line: projected near poor, they improved. Picked by a separate generator, so the other
    households stay as they were.
    """
    rng = random.Random(RANDOM_SEED + 1)
    for status in (OfficialStatus.NOT_POOR, OfficialStatus.POOR):
        group = [h for h in households if h.official_status == status]
        local = [h for h in group if h.commune_code == REVIEW_COMMUNE]
        first = rng.choice(local)
        others = rng.sample([h for h in group if h is not first], REVIEW_CASES - 1)
        for household in (first, *others):
            line = standard.line_for(household.commune.area)
            if status == OfficialStatus.NOT_POOR:
                share = rng.uniform(0.80, 0.94)
            else:
                household.deprivations = standard.deprivation_threshold - rng.choice((1, 2))
                share = rng.uniform(0.45, 0.6)
            household.baseline_income_vnd = round(line * share / 10_000) * 10_000


def _dual_memberships(
    rng: random.Random,
    households: list[tuple[Household, CoopSpec]],
    cooperatives: dict[str, Cooperative],
) -> list[Membership]:
    """Some households also belong to a neighbouring cooperative."""
    specs = {spec.key: spec for spec in COOPERATIVES}
    extra: list[Membership] = []
    for first, second, count in DUAL_MEMBERSHIPS:
        members = [h for h, spec in households if spec.key == first]
        for household in rng.sample(members, count):
            extra.append(
                Membership(
                    household=household,
                    cooperative=cooperatives[second],
                    joined_on=_joined_on(rng, specs[second].founded),
                )
            )
    return extra


def _received_on(rng: random.Random, first_year: int = 2023) -> date:
    year = rng.randint(first_year, 2025)
    return date(year, rng.randint(1, 11 if year == 2025 else 12), rng.randint(1, 28))


def _add_supports(
    rng: random.Random,
    households: list[tuple[Household, CoopSpec]],
    products: dict[str, Product],
) -> list[Support]:
    """Policy support: VBSP loans, seedlings, training, health cards, housing."""
    supports: list[Support] = []
    for household, spec in households:
        product = products[spec.main_product]
        status = household.official_status
        mountain = household.commune.region == Region.MOUNTAIN
        loan_note = {
            OfficialStatus.POOR: "NHCSXH - cho vay hộ nghèo, thời hạn 60 tháng.",
            OfficialStatus.NEAR_POOR: "NHCSXH - cho vay hộ cận nghèo, thời hạn 60 tháng.",
            OfficialStatus.NOT_POOR: "NHCSXH - cho vay hộ mới thoát nghèo.",
        }[status]
        loan_share = {OfficialStatus.POOR: 0.55, OfficialStatus.NEAR_POOR: 0.45}.get(
            status, 0.10 if mountain else 0.0
        )
        if rng.random() < loan_share:
            supports.append(
                Support(
                    household=household,
                    programme=SupportProgramme.POLICY_LOAN,
                    amount_vnd=rng.randrange(30, 101, 5) * 1_000_000,
                    received_on=_received_on(rng),
                    purpose_product=product,
                    note=loan_note,
                )
            )
        if mountain and rng.random() < 0.25:
            supports.append(
                Support(
                    household=household,
                    programme=SupportProgramme.CROP_VARIETY,
                    amount_vnd=rng.randrange(20, 121, 5) * 100_000,
                    received_on=_received_on(rng, 2024),
                    purpose_product=product,
                    note="Hỗ trợ cây giống - Chương trình MTQG giảm nghèo bền vững.",
                )
            )
        if spec.key == "tanson" and rng.random() < 0.2:
            supports.append(
                Support(
                    household=household,
                    programme=SupportProgramme.LIVESTOCK_BREED,
                    amount_vnd=rng.randrange(30, 61, 5) * 100_000,
                    received_on=_received_on(rng, 2024),
                    purpose_product=products["PT-GA-NHIEU-CUA"],
                    note="Hỗ trợ gà giống nhiều cựa - Chương trình MTQG 1719.",
                )
            )
        if rng.random() < 0.12:
            supports.append(
                Support(
                    household=household,
                    programme=SupportProgramme.VOCATIONAL_TRAINING,
                    amount_vnd=rng.randrange(25, 41, 5) * 100_000,
                    received_on=_received_on(rng, 2024),
                    purpose_product=product,
                    note=f"Lớp kỹ thuật canh tác và sơ chế: {product.name_vi}.",
                )
            )
        if status == OfficialStatus.POOR:
            supports.append(
                Support(
                    household=household,
                    programme=SupportProgramme.HEALTH_INSURANCE,
                    amount_vnd=household.members * HEALTH_CARD_VND,
                    received_on=date(2025, 1, 1),
                    note="Thẻ BHYT cấp miễn phí cho thành viên hộ nghèo năm 2025.",
                )
            )
            if rng.random() < 0.08:
                supports.append(
                    Support(
                        household=household,
                        programme=SupportProgramme.HOUSING_REPAIR,
                        amount_vnd=rng.choice((30_000_000, 60_000_000)),
                        received_on=_received_on(rng, 2025),
                        note="Chương trình xóa nhà tạm, nhà dột nát năm 2025.",
                    )
                )
    db.session.add_all(supports)
    return supports


# --- listings and logins --------------------------------------------------------------------


def _add_listings(
    cooperatives: dict[str, Cooperative],
    products: dict[str, Product],
    certifications: dict[str, Certification],
) -> list[Listing]:
    """The cooperatives' offers, most of them active."""
    listings = []
    for index, spec in enumerate(LISTINGS):
        product = products[spec.product]
        listed_at = LISTED_FROM + timedelta(days=index, hours=index % 5)
        listings.append(
            Listing(
                cooperative=cooperatives[spec.cooperative],
                product=product,
                title=spec.title,
                description=spec.description,
                grade=spec.grade,
                unit_price_vnd=spec.unit_price_vnd,
                quantity_available=Decimal(spec.quantity),
                min_order_quantity=Decimal(spec.min_order),
                harvest_start=spec.harvest[0] if spec.harvest else None,
                harvest_end=spec.harvest[1] if spec.harvest else None,
                status=spec.status,
                certifications=[certifications[number] for number in spec.certifications],
                search_text=search_key(spec.title, product.name_vi, product.name_en),
                created_at=listed_at,
                updated_at=listed_at,
            )
        )
    db.session.add_all(listings)
    return listings


def _logins(
    admin: User,
    managers: dict[str, User],
    pending: User,
    buyers: list[User],
    officials: list[User],
    households: list[tuple[Household, CoopSpec]],
) -> list[tuple[str, str, str]]:
    """(role, email, what this login shows) for every demo user."""
    per_coop = Counter(spec.key for _, spec in households)
    names = {spec.key: spec.name for spec in COOPERATIVES}
    logins = [("admin", admin.email, "approves cooperatives (1 pending), users, reference data")]
    for email, _, keys in MANAGERS:
        what = " + ".join(f"{names[key]} ({per_coop[key]} households)" for key in keys)
        logins.append(("manager", email, what))
    logins.append(("manager", pending.email, "pending cooperative, waiting for approval"))
    for user, (_, _, organisation, kind, _) in zip(buyers, BUYERS, strict=True):
        logins.append(("buyer", user.email, f"{organisation} ({kind.value})"))
    for user, (*_, what) in zip(officials, OFFICIALS, strict=True):
        logins.append(("official", user.email, what))
    return logins
