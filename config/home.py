"""The home page: who the person is, what waits for them, and the partnership's figures.

It sits above every app because its to-do list needs every app's figures. Each app answers for its
own work with one `todo_for(user)` selector returning `common.todo.TodoItem`s (a fixed number of
queries, an empty list for people it has nothing for); adding an app's entries is adding its
selector to TODO_SOURCES.
"""

from itertools import chain

from django.shortcuts import render

from accounts import selectors as accounts_selectors
from accounts.roles import ROLE_DESCRIPTIONS, Role
from committee import selectors as committee_selectors
from common.todo import waiting
from courses.selectors import todo as courses_todo
from evaluation import selectors as evaluation_selectors
from pool import selectors as pool_selectors
from reports import selectors as reports_selectors
from tna import selectors as tna_selectors

TODO_SOURCES = (
    accounts_selectors.todo_for,
    courses_todo.todo_for,
    tna_selectors.todo_for,
    pool_selectors.todo_for,
    evaluation_selectors.todo_for,
    committee_selectors.todo_for,
    reports_selectors.todo_for,
)


def todo_for(user) -> list:
    """Everything waiting for `user`, overdue first (common.todo.waiting)."""
    return waiting(chain.from_iterable(source(user) for source in TODO_SOURCES))


def home(request):
    if not request.user.is_authenticated:
        return render(request, "home/start.html")
    user = request.user
    context = {
        "roles": [
            (Role(name).label, ROLE_DESCRIPTIONS[Role(name)]) for name in sorted(user.role_names) if name in Role.values
        ],
        "todo": todo_for(user),
        "next_sessions": courses_todo.next_sessions_delivering(user),
    }
    if user.is_training_manager or user.is_board_member:
        context["overview"] = accounts_selectors.partnership_overview()
    if user.is_agency_lead:
        context["agency_people_count"] = accounts_selectors.people_visible_to(user).filter(is_active=True).count()
    return render(request, "home/dashboard.html", context)
