"""Manager pages: the cooperative's profile and certificates; registering a new cooperative."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from blueprints.common import commit_or_refuse, form_status, see_other
from blueprints.manage import bp
from linkage.extensions import db
from linkage.labels import product_name
from linkage.security import allow
from linkage.services import cooperatives, profile
from models import Commune, Cooperative, Product, Role

from .profile_forms import CertificationForm, CooperativeForm, ProfileForm

COOPERATIVE = "/<id:cooperative_id>"
CERTIFICATION = COOPERATIVE + "/certifications/<id:certification_id>"

Page = str | Response | tuple[str, int]


@bp.route(COOPERATIVE + "/profile", methods=["GET", "POST"], endpoint="profile")
@allow(Role.MANAGER, Role.ADMIN)
def profile_page(cooperative_id: int) -> Page:
    cooperative = cooperatives.get_cooperative_for(current_user, cooperative_id)
    form = ProfileForm(obj=cooperative)
    if form.validate_on_submit() and commit_or_refuse(
        form,
        lambda: profile.update_profile(current_user, cooperative, form.contact_data()),
        _("The profile is saved."),
    ):
        return redirect(url_for(".profile", cooperative_id=cooperative.id))
    return render_template(
        "manage/profile/profile.html",
        cooperative=cooperative,
        form=form,
        certifications=profile.certifications_of(cooperative),
    ), form_status(form)


def _certification_form(certification: object | None = None) -> CertificationForm:
    form = CertificationForm(obj=certification)
    products = db.session.scalars(select(Product).order_by(Product.name_vi, Product.id)).all()
    form.set_products(list(products), product_name)
    return form


def _certification_page(cooperative: Cooperative, form: CertificationForm, editing: bool) -> Page:
    return render_template(
        "manage/profile/certification.html", cooperative=cooperative, form=form, editing=editing
    ), form_status(form)


@bp.route(COOPERATIVE + "/certifications/new", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def certification_new(cooperative_id: int) -> Page:
    cooperative = cooperatives.get_cooperative_for(current_user, cooperative_id)
    form = _certification_form()
    if form.validate_on_submit() and commit_or_refuse(
        form,
        lambda: profile.add_certification(current_user, cooperative, form.certification_data()),
        _("The certificate is added."),
    ):
        return redirect(url_for(".profile", cooperative_id=cooperative.id))
    return _certification_page(cooperative, form, editing=False)


@bp.route(CERTIFICATION + "/edit", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def certification_edit(cooperative_id: int, certification_id: int) -> Page:
    cooperative = cooperatives.get_cooperative_for(current_user, cooperative_id)
    certification = profile.get_certification_for(current_user, cooperative.id, certification_id)
    form = _certification_form(certification)
    if form.validate_on_submit() and commit_or_refuse(
        form,
        lambda: profile.update_certification(
            current_user, certification, form.certification_data()
        ),
        _("The certificate is saved."),
    ):
        return redirect(url_for(".profile", cooperative_id=cooperative.id))
    return _certification_page(cooperative, form, editing=True)


@bp.route(CERTIFICATION + "/delete", methods=["POST"])
@allow(Role.MANAGER, Role.ADMIN)
def certification_delete(cooperative_id: int, certification_id: int) -> Response:
    cooperative = cooperatives.get_cooperative_for(current_user, cooperative_id)
    certification = profile.get_certification_for(current_user, cooperative.id, certification_id)
    profile.delete_certification(current_user, certification)
    db.session.commit()
    flash(_("The certificate is deleted."), "success")
    return see_other(".profile", cooperative_id=cooperative.id)


@bp.route("/cooperatives/new", methods=["GET", "POST"])
@allow(Role.MANAGER, Role.ADMIN)
def cooperative_new() -> Page:
    form = CooperativeForm()
    form.set_communes(list(db.session.scalars(select(Commune).order_by(Commune.name))))
    if form.validate_on_submit():
        cooperative = commit_or_refuse(form, lambda: _register(form))
        if cooperative is not None:
            return _registered(cooperative)
    return render_template("manage/profile/cooperative_new.html", form=form), form_status(form)


def _register(form: CooperativeForm) -> Cooperative:
    contact = profile.clean_contact(form.contact_data())
    return cooperatives.register_cooperative(
        current_user,
        name=form.name.data,
        registration_no=form.registration_no.data,
        commune_code=form.commune_code.data,
        description=contact.pop("description", "") or "",
        **contact,
    )


def _registered(cooperative: Cooperative) -> Response:
    if current_user.role == Role.ADMIN:
        flash(_("Cooperative “%(name)s” is registered and approved.", name=cooperative.name))
        return see_other("admin.cooperatives")
    flash(
        _(
            "Cooperative “%(name)s” is registered and waiting for approval by the platform's "
            "administrators. Meanwhile you can complete its profile and prepare listings.",
            name=cooperative.name,
        ),
        "success",
    )
    return see_other(".dashboard", cooperative_id=cooperative.id)
