"""The demo's accounts and the cooperatives they register (users.csv, cooperatives.csv).

Accounts are created in file order through the accounts service; right after its account,
a user registers the cooperatives that name it as `registered_by` (an admin's are approved
at once, a manager's wait for approval), so the managers listed after the admin can be
linked to the cooperatives the admin registered.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from linkage.services.accounts import create_user
from linkage.services.cooperatives import register_cooperative
from models import BuyerKind, Cooperative, CooperativeStatus, Role, User

from .calendar import DemoCalendar
from .data import Row, rows, words

REGISTRATION_FIELDS = (
    "name",
    "registration_no",
    "commune_code",
    "description",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
)


@dataclass(frozen=True)
class People:
    """Every demo user with its row, and the cooperatives by key (approved and pending)."""

    users: list[tuple[User, Row]]
    cooperatives: dict[str, Cooperative]

    @property
    def approved(self) -> dict[str, Cooperative]:
        return {
            key: cooperative
            for key, cooperative in self.cooperatives.items()
            if cooperative.status == CooperativeStatus.APPROVED
        }

    @property
    def pending(self) -> int:
        return sum(1 for c in self.cooperatives.values() if c.status == CooperativeStatus.PENDING)

    def managers(self) -> dict[str, User]:
        """The manager of each cooperative, by key."""
        return {
            key: user
            for user, row in self.users
            if user.role == Role.MANAGER
            for key in words(row["cooperatives"])
        }


def create_people(password: str, calendar: DemoCalendar) -> People:
    """The demo users (one password for all) and the cooperatives they register."""
    registered_by: dict[str, list[Row]] = defaultdict(list)
    for row in rows("cooperatives.csv"):
        registered_by[row["registered_by"]].append(row)
    cooperatives: dict[str, Cooperative] = {}
    users: list[tuple[User, Row]] = []
    for row in rows("users.csv"):
        user = create_user(
            row["email"],
            password,
            Role(row["role"]),
            name=row["name"],
            cooperative_ids=[cooperatives[key].id for key in words(row["cooperatives"])],
            commune_codes=list(words(row["communes"])),
            province_wide=row["province_wide"] == "true",
            buyer_org=row["organisation"] or None,
            buyer_kind=BuyerKind(row["buyer_kind"] or BuyerKind.TRADER),
            locale=row["locale"] or "vi",
        )
        users.append((user, row))
        for registration in registered_by[row["email"]]:
            cooperatives[registration["key"]] = _register(user, registration, calendar)
    return People(users, cooperatives)


def _register(registrant: User, row: Row, calendar: DemoCalendar) -> Cooperative:
    cooperative = register_cooperative(
        registrant, **{name: row[name] for name in REGISTRATION_FIELDS}
    )
    cooperative.created_at = calendar.shifted_at(datetime.fromisoformat(row["registered_at"]))
    if cooperative.status == CooperativeStatus.APPROVED:
        cooperative.status_changed_at = cooperative.created_at
    return cooperative


def logins(people: People, households: Counter[str]) -> list[tuple[str, str, str]]:
    """(role, email, what this login shows) for every demo user; `households` by cooperative."""
    found = []
    for user, row in people.users:
        shows = row["shows"]
        if not shows and user.role == Role.MANAGER:
            shows = " + ".join(
                f"{people.cooperatives[key].name} ({households[key]} households)"
                for key in words(row["cooperatives"])
            )
        elif not shows and user.role == Role.BUYER:
            shows = f"{row['organisation']} ({row['buyer_kind']})"
        found.append((row["role"], user.email, shows))
    return found
