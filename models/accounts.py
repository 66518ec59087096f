"""Users, their links to cooperatives, communes and buyer organisations, and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from linkage.extensions import db

from .enums import BuyerKind, Role, str_enum
from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .cooperatives import Cooperative
    from .reference import Commune

manager_cooperatives = Table(
    "manager_cooperatives",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("cooperative_id", ForeignKey("cooperatives.id", ondelete="CASCADE"), primary_key=True),
)

official_communes = Table(
    "official_communes",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("commune_code", ForeignKey("communes.code"), primary_key=True),
)


class BuyerOrganisation(db.Model):
    """A trader, processor, pharmaceutical company, hospital or retailer."""

    __tablename__ = "buyer_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[BuyerKind] = mapped_column(str_enum(BuyerKind, "buyer_kind"))
    tax_code: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<BuyerOrganisation {self.name}>"


class User(UserMixin, db.Model):
    """A person who logs in: admin, cooperative manager, buyer or official."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    # stored lower-cased (see normalise_email), so the unique constraint is case-insensitive
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    active: Mapped[bool] = mapped_column(default=True)
    province_wide: Mapped[bool] = mapped_column(default=False)
    buyer_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("buyer_organisations.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cooperatives: Mapped[list[Cooperative]] = relationship(
        secondary=manager_cooperatives, back_populates="managers"
    )
    communes: Mapped[list[Commune]] = relationship(secondary=official_communes)
    buyer_organisation: Mapped[BuyerOrganisation | None] = relationship()

    @validates("email")
    def normalise_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserSession(db.Model):
    """A login in a browser: the session cookie holds its secret, the server its hash.

    A session is live while `ended_at` is empty and it is younger than the session lifetime;
    logout ends it, and so do a password change (the others, or all), disabling the account
    and a change of role. A replayed cookie of an ended session opens nothing.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class ApiToken(db.Model):
    """A bearer token for the API; only its SHA-256 hash is stored.

    A token works until `expires_at` (absolute limit), while it is used at least once per
    idle limit (`last_used_at`, or `created_at` before its first use), and until revoked.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"
