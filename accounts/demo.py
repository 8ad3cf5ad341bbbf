"""The demo partnership: Northshire, a fictional English county.

Deterministic and safe to run twice: everything is looked up by its natural key.
"""

from django.utils.text import slugify

from .factories import (
    JOB_TITLES,
    AgencyFactory,
    OrganisationCategoryFactory,
    TargetGroupFactory,
    UserFactory,
    hashed_password,
    person_name,
)
from .models import Sector, User
from .roles import Role

DEMO_PASSWORD = "Northshire-demo-2026"

CATEGORIES = [
    ("Statutory partner", "Council, police, NHS and probation: contributing partners whose staff train free."),
    ("School or academy", "Maintained schools, academies and colleges."),
    ("GP practice", "General practices and other primary care."),
    ("Voluntary or community group", "Local charities, faith and community groups, sports clubs."),
    ("National charity", "Charities working in the area but organised nationally."),
    ("Private or independent provider", "Nurseries, children's homes, fostering agencies and other businesses."),
    ("Out of area", "Organisations based outside the partnership's area."),
]

# The eight staff groups of Working Together to Safeguard Children (2010).
TARGET_GROUPS = [
    (
        1,
        "Infrequent contact with children",
        "You may become aware of possible abuse or neglect, but rarely work with children, young people or parents. "
        "For example: librarians, GP receptionists, leisure centre staff, community advice workers.",
    ),
    (
        2,
        "Regular contact with children",
        "You are in regular contact with children, young people or parents, or have a particular responsibility, "
        "and may be in a position to spot concerns. "
        "For example: housing staff, hospital staff, adult mental health staff, sports coaches.",
    ),
    (
        3,
        "Work predominantly with children",
        "You work mostly with children, young people or parents and could contribute to assessing, planning "
        "and reviewing a child's needs. "
        "For example: GPs, youth workers, police officers, school staff, health visitors, early years staff.",
    ),
    (
        4,
        "Particular responsibility for safeguarding",
        "You have particular responsibility for safeguarding children. "
        "For example: children's social workers, child protection police officers, "
        "designated safeguarding leads in schools.",
    ),
    (
        5,
        "Named and designated professionals",
        "You are a professional adviser: a named or designated doctor, nurse or midwife, "
        "or a lead professional for safeguarding in your organisation.",
    ),
    (
        6,
        "Operational managers",
        "You manage safeguarding practice: practice supervisors, front-line managers "
        "and managers of child protection units.",
    ),
    (7, "Senior managers", "You are responsible for the strategic management of services for children and families."),
    (8, "Board members", "You are a member of the safeguarding children partnership's Board."),
]

AGENCIES = [
    ("Northshire County Council Children's Services", Sector.LOCAL_AUTHORITY, "Statutory partner", True),
    ("Northshire County Council Education and Inclusion", Sector.LOCAL_AUTHORITY, "Statutory partner", True),
    ("Northshire Police", Sector.POLICE, "Statutory partner", True),
    ("Northshire Hospitals NHS Foundation Trust", Sector.HEALTH, "Statutory partner", True),
    ("Northshire Community Health NHS Trust", Sector.HEALTH, "Statutory partner", True),
    ("Northshire Integrated Care Board", Sector.HEALTH, "Statutory partner", True),
    ("Probation Service, Northshire", Sector.PROBATION, "Statutory partner", True),
    ("Northshire Youth Justice Service", Sector.PROBATION, "Statutory partner", True),
    ("Riverside Academy Trust", Sector.EDUCATION, "School or academy", False),
    ("St Aidan's Church of England Primary School", Sector.EDUCATION, "School or academy", False),
    ("Northshire College", Sector.EDUCATION, "School or academy", False),
    ("Castle Street Medical Practice", Sector.HEALTH, "GP practice", False),
    ("Northshire Women's Aid", Sector.VOLUNTARY, "Voluntary or community group", True),
    ("Northshire Young Carers", Sector.VOLUNTARY, "Voluntary or community group", False),
    ("Northshire Junior Football League", Sector.SPORT, "Voluntary or community group", False),
    ("Northshire Interfaith Forum", Sector.FAITH, "Voluntary or community group", False),
    ("Little Acorns Day Nurseries Ltd", Sector.INDEPENDENT, "Private or independent provider", False),
    ("Hillside Children's Homes Ltd", Sector.INDEPENDENT, "Private or independent provider", False),
]

# Besides the domain its demo staff use (see `staff_domain`), some agencies' people sign in from another.
MORE_DOMAINS = {
    "Northshire County Council Children's Services": ["northshire-scp.example.org"],
    "Northshire Police": ["northshire-police.example.org"],
    "Northshire Hospitals NHS Foundation Trust": ["northshire-hospitals.example.org"],
    "Riverside Academy Trust": ["riverside-academies.example.org"],
    "Little Acorns Day Nurseries Ltd": ["little-acorns.example.org"],
}


def staff_domain(agency_name: str) -> str:
    return f"{slugify(' '.join(agency_name.split(' ')[:3]))}.example.org"


# (email, name, job title, agency, target group, roles)
SIGN_INS = [
    (
        "helen.carter@northshire-scp.example.org",
        "Helen Carter",
        "Inter-agency training manager",
        "Northshire County Council Children's Services",
        6,
        [Role.TRAINING_MANAGER],
    ),
    (
        "priya.shah@northshire-police.example.org",
        "Priya Shah",
        "Detective Inspector, safeguarding lead",
        "Northshire Police",
        6,
        [Role.AGENCY_LEAD],
    ),
    (
        "tom.fletcher@riverside-academies.example.org",
        "Tom Fletcher",
        "Year 6 teacher",
        "Riverside Academy Trust",
        3,
        [],
    ),
    (
        "grace.okafor@northshire-hospitals.example.org",
        "Grace Okafor",
        "Named nurse for safeguarding children",
        "Northshire Hospitals NHS Foundation Trust",
        5,
        [Role.TRAINER],
    ),
    (
        "david.reid@northshire-scp.example.org",
        "David Reid",
        "Independent chair of the Board",
        "Northshire County Council Children's Services",
        8,
        [Role.BOARD_MEMBER],
    ),
]

STAFF_PER_AGENCY = 4


def seed_reference_data() -> tuple[dict, dict]:
    """The charging categories and the eight Working Together staff groups: every
    partnership starts from these and edits them (`manage.py setup_partnership`)."""
    categories = {}
    for position, (name, description) in enumerate(CATEGORIES):
        categories[name] = OrganisationCategoryFactory(name=name, description=description, position=position)
    groups = {
        number: TargetGroupFactory(number=number, name=name, description=description)
        for number, name, description in TARGET_GROUPS
    }
    return categories, groups


DEMO_PARTNERSHIP = ("Northshire Safeguarding Children Partnership", "Northshire SCP")


def seed(stdout=None) -> None:
    from .services import update_partnership

    update_partnership(actor=None, name=DEMO_PARTNERSHIP[0], short_name=DEMO_PARTNERSHIP[1])
    categories, groups = seed_reference_data()
    agencies = {
        name: AgencyFactory(
            name=name,
            sector=sector,
            category=categories[category],
            contributing=contributing,
            email_domains=" ".join(dict.fromkeys([staff_domain(name), *MORE_DOMAINS.get(name, [])])),
        )
        for name, sector, category, contributing in AGENCIES
    }
    for email, name, job, agency, group, roles in SIGN_INS:
        UserFactory(
            email=email,
            full_name=name,
            job_title=job,
            agency=agencies[agency],
            target_group=groups[group],
            roles=roles,
            password=hashed_password(DEMO_PASSWORD),
        )
    # A handful of staff in every agency, so the lists look like a real partnership.
    # The first of them leads their agency (the police already have Priya Shah).
    led = {agency for *_, agency, _group, roles in SIGN_INS if Role.AGENCY_LEAD in roles}
    n = 0
    for agency_name, agency in agencies.items():
        domain = staff_domain(agency_name).removesuffix(".example.org")
        for i in range(STAFF_PER_AGENCY):
            name = person_name(n)
            lead = i == 0 and agency_name not in led
            UserFactory(
                email=f"{name.lower().replace(' ', '.')}.{n}@{domain}.example.org",
                full_name=name,
                agency=agency,
                job_title="Safeguarding lead" if lead else JOB_TITLES[n % len(JOB_TITLES)],
                target_group=groups[6 if lead else (2, 3, 3, 4, 1, 6)[n % 6]],
                line_manager_name=person_name(n + 7),
                line_manager_email=f"{person_name(n + 7).lower().replace(' ', '.')}@{domain}.example.org",
                roles=[Role.AGENCY_LEAD] if lead else [],
                password=hashed_password(DEMO_PASSWORD),
            )
            n += 1
    # Someone whose organisation is not a partner yet, and someone who has not confirmed their email.
    UserFactory(
        email="jo.baker@riverside-scouts.example.org",
        full_name="Jo Baker",
        job_title="Scout leader (volunteer)",
        agency=None,
        unlisted_organisation="1st Riverside Scouts",
        target_group=groups[2],
        password=hashed_password(DEMO_PASSWORD),
    )
    # Someone who says they are a police volunteer, from a personal address: waits for the police's lead.
    UserFactory(
        email="jamie.cole@gmail.example.com",
        full_name="Jamie Cole",
        job_title="Special constable (volunteer)",
        agency=None,
        claimed_agency=agencies["Northshire Police"],
        target_group=groups[2],
        password=hashed_password(DEMO_PASSWORD),
    )
    unconfirmed = UserFactory(
        email="sam.wilde@little-acorns.example.org",
        full_name="Sam Wilde",
        job_title="Nursery practitioner",
        agency=agencies["Little Acorns Day Nurseries Ltd"],
        target_group=groups[3],
        password=hashed_password(DEMO_PASSWORD),
    )
    User.objects.filter(pk=unconfirmed.pk).update(is_active=False, email_verified_at=None)
    if stdout:
        stdout.write(f"People and agencies: {len(agencies)} agencies, {User.objects.count()} people")


def sign_in_lines() -> list[str]:
    width = max(len(email) for email, *_ in SIGN_INS)
    lines = []
    for email, name, _job, agency, _group, roles in SIGN_INS:
        role = roles[0].label if roles else "Staff member"
        lines.append(f"  {role:<17} {email:<{width}}  ({name}, {agency})")
    lines.append(f"  Password for every demo account: {DEMO_PASSWORD}")
    return lines
