#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys


def main():
    # ENVIRONMENT (development unless the environment or the env file says otherwise).
    from config.env import choose_settings

    choose_settings()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
