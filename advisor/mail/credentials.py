"""The SMTP password: kept in the OS keyring (or given in the environment), never in a file."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from advisor.mail.errors import MailError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "llm-sourcing-advisor-smtp"
PASSWORD_ENV = "ADVISOR_SMTP_PASSWORD"


def keyring_account(host: str, username: str) -> str:
    """The keyring entry name for one login on one server (``user@host``, host lower-cased).

    Args:
        host: The SMTP host.
        username: The login name.

    Returns:
        The account name used with :data:`KEYRING_SERVICE`.
    """
    return f"{username.strip()}@{host.strip().lower()}"


def _keyring_failures() -> tuple[type[BaseException], ...]:
    from keyring.errors import KeyringError

    # Backends surface D-Bus or OS trouble as plain RuntimeError or OSError too.
    return (KeyringError, RuntimeError, OSError)


def store_password(host: str, username: str, password: str) -> None:
    """Keep the password in the OS keyring.

    Args:
        host: The SMTP host.
        username: The login name.
        password: The password; never logged.

    Raises:
        MailError: No usable keyring (field ``smtp.password``).
    """
    import keyring

    if not username.strip() or not host.strip():
        raise MailError.of("smtp.password", "enter the host and user name before the password")
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_account(host, username), password)
    except _keyring_failures() as exc:
        raise MailError.of(
            "smtp.password",
            f"the password cannot be kept in the system keyring ({type(exc).__name__}); "
            f"set {PASSWORD_ENV} instead",
        ) from None
    log.info("stored the SMTP password for %s in the keyring", keyring_account(host, username))


def load_password(host: str, username: str) -> str | None:
    """The password kept in the OS keyring, if any.

    Args:
        host: The SMTP host.
        username: The login name.

    Returns:
        The password, or ``None`` when none is stored or no keyring is usable.
    """
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_account(host, username))
    except _keyring_failures() as exc:
        log.debug("keyring not usable: %s", type(exc).__name__)
        return None


def forget_password(host: str, username: str) -> None:
    """Remove the stored password (nothing happens when there is none).

    Args:
        host: The SMTP host.
        username: The login name.
    """
    import keyring
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, keyring_account(host, username))
    except PasswordDeleteError:
        pass
    except _keyring_failures() as exc:
        log.debug("keyring not usable: %s", type(exc).__name__)


def resolve_password(
    host: str, username: str, environ: Mapping[str, str] | None = None
) -> str | None:
    """The password to log in with: ``ADVISOR_SMTP_PASSWORD`` when set, else the keyring's.

    Args:
        host: The SMTP host.
        username: The login name.
        environ: The environment to read (``os.environ`` when ``None``).

    Returns:
        The password, or ``None`` when there is none.
    """
    env = os.environ if environ is None else environ
    from_env = env.get(PASSWORD_ENV)
    if from_env:
        return from_env
    return load_password(host, username)
