"""Factories for people and agencies, used by the tests and by `seed_demo`.

Values are realistic and deterministic: sequences over fixed lists, no random data.
"""

from functools import lru_cache

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import Agency, OrganisationCategory, Sector, TargetGroup, User
from .roles import Role

FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Daniel",
    "Ellie",
    "Farhan",
    "Georgia",
    "Harry",
    "Isla",
    "Jamal",
    "Katie",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Patrick",
    "Ruby",
    "Sam",
    "Tasha",
    "Umar",
]
LAST_NAMES = [
    "Ahmed",
    "Brown",
    "Campbell",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kaur",
    "Lewis",
    "Morgan",
    "Nolan",
    "Owen",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
]
JOB_TITLES = [
    "Social worker",
    "Police constable",
    "Health visitor",
    "Class teacher",
    "Youth worker",
    "School nurse",
    "Family support worker",
    "Probation officer",
    "Early years practitioner",
    "Designated safeguarding lead",
]


@lru_cache(maxsize=8)
def hashed_password(raw: str) -> str:
    """Hash once, reuse for every account: hashing is slow on purpose, and the
    demo and test accounts all share a password anyway."""
    return make_password(raw)


def person_name(n: int) -> str:
    return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n // len(FIRST_NAMES) + n) % len(LAST_NAMES)]}"


class OrganisationCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationCategory
        django_get_or_create = ("name",)

    name = factory.Iterator(
        ["Statutory partner", "School or academy", "Voluntary or community group", "Private or independent provider"]
    )
    position = factory.Sequence(int)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Northshire Partner Agency {n + 1}")
    sector = Sector.LOCAL_AUTHORITY
    category = factory.SubFactory(OrganisationCategoryFactory, name="Statutory partner")
    contributing = True
    active = True


class TargetGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetGroup
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"Staff group {o.number}")
    description = "People in this group work with children and families."


class UserFactory(factory.django.DjangoModelFactory):
    """A verified, active staff member of an agency."""

    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    full_name = factory.Sequence(person_name)
    email = factory.LazyAttributeSequence(
        lambda o, n: f"{o.full_name.lower().replace(' ', '.').replace(chr(39), '')}.{n}@example.org"
    )
    job_title = factory.Sequence(lambda n: JOB_TITLES[n % len(JOB_TITLES)])
    agency = factory.SubFactory(AgencyFactory)
    target_group = factory.SubFactory(TargetGroupFactory, number=3, name="Work predominantly with children")
    is_active = True
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.LazyFunction(lambda: hashed_password("correct-horse-battery"))

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        from .services import role_group

        for role in [Role.STAFF, *(extracted or [])]:
            self.groups.add(role_group(role))
        self.forget_roles()


def training_manager(**kwargs) -> User:
    return UserFactory(roles=[Role.TRAINING_MANAGER], job_title="Inter-agency training manager", **kwargs)


def agency_lead(**kwargs) -> User:
    return UserFactory(roles=[Role.AGENCY_LEAD], job_title="Safeguarding lead", **kwargs)


def board_member(**kwargs) -> User:
    return UserFactory(roles=[Role.BOARD_MEMBER], job_title="Board member", **kwargs)


def trainer(**kwargs) -> User:
    return UserFactory(roles=[Role.TRAINER], **kwargs)
