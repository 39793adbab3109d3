"""API shapes of the catalogue."""

import datetime as dt
from decimal import Decimal

from ninja import Schema


class MDAOut(Schema):
    code: str
    name_en: str
    name_sw: str


class RequirementOut(Schema):
    text_en: str
    text_sw: str


class ChannelOut(Schema):
    channel: str
    how_en: str
    how_sw: str


class CentreRef(Schema):
    code: str
    name: str
    county: str


class ServiceSummary(Schema):
    code: str
    name_en: str
    name_sw: str
    mda: MDAOut
    fee_kes: Decimal
    fee_is_demo: bool
    turnaround_days: int
    turnaround_is_demo: bool
    portable: bool
    url: str


class ArticleOut(Schema):
    slug: str
    kind: str
    title_en: str
    title_sw: str
    body_en: str
    body_sw: str
    version: int
    service: str | None
    updated_at: dt.datetime


class ServiceDetail(ServiceSummary):
    description_en: str
    description_sw: str
    needs_documents: bool
    requirements: list[RequirementOut]
    channels: list[ChannelOut]
    centres: list[CentreRef]
    articles: list[ArticleOut]


class Paged(Schema):
    count: int
    page: int
    page_size: int
    pages: int


class ServicePage(Paged):
    results: list[ServiceSummary]


class CentreOut(Schema):
    code: str
    name: str
    county: str
    county_code: str
    sub_county: str | None
    town: str
    status: str
    opening_hours: str
    charter_url: str


class CentrePage(Paged):
    results: list[CentreOut]


class CharterRow(Schema):
    code: str
    name_en: str
    name_sw: str
    mda: str
    fee_kes: Decimal
    turnaround_days: int


class CharterOut(Schema):
    centre: CentreOut
    date: dt.date
    services: list[CharterRow]
    complaints: dict


class ArticlePage(Paged):
    results: list[ArticleOut]
