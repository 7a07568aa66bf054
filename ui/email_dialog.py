"""Email the PDF report: open a draft in the mail app, send it over SMTP, or show the PDF."""

from __future__ import annotations

import contextlib
import html
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from advisor import mail
from advisor.errors import Problem
from advisor.mail import MailSettings, Security, SendMethod, SmtpSettings
from advisor.mail.smtp import DEFAULT_PORTS
from advisor.recommend.summary import summary_sentence
from ui import worker
from ui.errors import show_error, show_warning

log = logging.getLogger("advisor.ui")

_ERROR_STYLE = "color: #c01c28;"
_SECURITY_CHOICES = (
    (Security.STARTTLS, "STARTTLS (usually port 587)"),
    (Security.SSL, "SSL/TLS (usually port 465)"),
    (Security.PLAIN, "None: unencrypted (port 25)"),
)
_SEND_LABELS = {
    SendMethod.MAIL_APP: "Open in mail app",
    SendMethod.SMTP: "Send",
    SendMethod.REVEAL: "Show PDF in folder",
}
# Which error label shows the problems of which engine field.
_LABEL_FOR_FIELD = {
    "pdf": "pdf",
    "to": "to",
    "cc": "cc",
    "subject": "subject",
    "body": "body",
    "from": "sender",
    "smtp.from": "sender",
    "smtp.host": "host",
    "smtp.port": "host",
    "smtp.security": "security",
    "smtp.user": "user",
    "smtp.password": "password",
    "smtp.timeout": "smtp",
    "smtp.ca_file": "smtp",
}


def summary_of(evaluation: Any) -> str:
    """A few plain lines on the recommendation for the email body ('' without an evaluation)."""
    if evaluation is None:
        return ""
    rationale = [line.strip() for line in getattr(evaluation, "rationale", ()) if line.strip()]
    recommendation = getattr(evaluation, "recommendation", None)
    lines: list[str] = []
    if rationale:
        lines.append("In short:")
        lines += [f"- {line}" for line in rationale]
    elif recommendation is not None:
        lines.append(
            f"Recommended: {recommendation.name}, about "
            f"${recommendation.monthly_cost_usd:,.0f} a month."
        )
    return "\n".join(lines)


class EmailDialog(QDialog):
    """Send the report three ways, remembering the choice and the SMTP settings (not the
    password, which goes to the OS keyring when the user asks).

    Signals:
        sent: A short sentence on what happened, after a successful send, draft or reveal.
    """

    sent = Signal(str)

    # Programs that leave the app are class attributes so tests can swap them for recorders.
    open_in_mail_app: Callable[..., Any] = staticmethod(mail.open_draft)
    reveal_in_folder: Callable[..., Any] = staticmethod(mail.reveal)

    def __init__(
        self, pdf_path: Path, evaluation: Any = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Email the report")
        self.setObjectName("EmailDialog")
        self.pdf_path = Path(pdf_path)
        self.evaluation = evaluation
        self.busy = False
        self.touched: set[str] = set()
        self.settings = mail.load_settings()
        self.errors: dict[str, QLabel] = {}
        self._built = False  # widgets signal while being filled in; validate only once all exist
        self._build()
        self._built = True
        self._load(self.settings)
        self.validate()
        self.setMinimumWidth(560)
        self.resize(640, self.sizeHint().height())

    # --- layout --------------------------------------------------------------------------
    def _error_label(self, key: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error_{key}")
        label.setStyleSheet(_ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        self.errors[key] = label
        return label

    def _with_error(self, widget: QWidget, key: str) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(self._error_label(key))
        return box

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda _: self._touch(name))
        edit.textChanged.connect(lambda _: self.validate())
        return edit

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(10)

        size = ""
        with contextlib.suppress(OSError):
            size = f" ({max(1, self.pdf_path.stat().st_size // 1024):,} KB)"
        # The file name is the user's text: escaped, never markup.
        report = QLabel(f"<b>Report:</b> {html.escape(self.pdf_path.name)}{size}")
        report.setToolTip(str(self.pdf_path))
        report.setTextFormat(Qt.TextFormat.RichText)
        report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(report)
        layout.addWidget(self._error_label("pdf"))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.to = self._line("to", "jane@example.com, cfo@example.com")
        form.addRow("&To:", self._with_error(self.to, "to"))
        self.cc = self._line("cc", "optional")
        form.addRow("&Cc:", self._with_error(self.cc, "cc"))
        # The subject is the answer in one sentence (the same as `advisor email` sends).
        title = summary_sentence(self.evaluation) if self.evaluation is not None else ""
        self.subject = self._line("subject")
        self.subject.setText(mail.default_subject(title))
        form.addRow("&Subject:", self._with_error(self.subject, "subject"))
        self.body = QPlainTextEdit()
        self.body.setObjectName("body")
        self.body.setPlainText(
            mail.default_body(summary_of(self.evaluation), mail.attachment_name(self.pdf_path))
        )
        self.body.setMinimumHeight(150)
        self.body.textChanged.connect(self.validate)
        form.addRow("&Message:", self._with_error(self.body, "body"))
        layout.addLayout(form)

        how = QGroupBox("How to send")
        how_layout = QVBoxLayout(how)
        self.method_group = QButtonGroup(self)
        self.method_buttons: dict[SendMethod, QRadioButton] = {}
        for method, text, tip in (
            (
                SendMethod.MAIL_APP,
                "Open in my mail app",
                "Saves the email with the PDF attached as an .eml draft beside the report and "
                "opens it in your mail program, where you can check it and press Send.",
            ),
            (
                SendMethod.SMTP,
                "Send via SMTP",
                "Sends the email directly through your mail server.",
            ),
            (
                SendMethod.REVEAL,
                "Show the PDF in its folder",
                "Opens the report's folder so you can attach the PDF yourself.",
            ),
        ):
            button = QRadioButton(text)
            button.setObjectName(f"method_{method.value}")
            button.setToolTip(tip)
            self.method_group.addButton(button)
            self.method_buttons[method] = button
            how_layout.addWidget(button)
        self.method_group.buttonToggled.connect(self._method_toggled)
        layout.addWidget(how)

        self.smtp_box = self._build_smtp()
        layout.addWidget(self.smtp_box)

        bottom = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        bottom.addWidget(self.busy_bar)
        self.buttons = QDialogButtonBox()
        self.send_button = self.buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("send")
        self.send_button.setDefault(True)
        # Its label follows the method; size it once for the longest so it never clips.
        longest = max(
            self.send_button.fontMetrics().horizontalAdvance(t) for t in _SEND_LABELS.values()
        )
        self.send_button.setMinimumWidth(longest + 32)
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        self.send_button.clicked.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

    def _build_smtp(self) -> QGroupBox:
        box = QGroupBox("Mail server (SMTP)")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.host = self._line("host", "smtp.example.com")
        self.port = QSpinBox()
        self.port.setObjectName("port")
        self.port.setRange(0, 65535)
        self.port.setSpecialValueText("default")
        self.port.setMinimumWidth(110)
        self.port.valueChanged.connect(lambda _: self.validate())
        server_row = QHBoxLayout()
        server_row.setContentsMargins(0, 0, 0, 0)
        server_row.addWidget(self.host, 1)
        server_row.addWidget(QLabel("Port:"))
        server_row.addWidget(self.port)
        server = QWidget()
        server.setLayout(server_row)
        form.addRow("Se&rver:", self._with_error(server, "host"))

        self.security = QComboBox()
        self.security.setObjectName("security")
        for value, text in _SECURITY_CHOICES:
            self.security.addItem(text, value)
        self.allow_plain = QCheckBox("Allow unencrypted (trusted local relay only)")
        self.allow_plain.setObjectName("allow_plain")
        self.allow_plain.setToolTip(
            "Without encryption, your password and the report cross the network readable by "
            "anyone on the way. Only for a mail relay on your own machine or network."
        )
        self.allow_plain.toggled.connect(self._allow_plain_toggled)
        self.security.currentIndexChanged.connect(lambda _: self._security_changed())
        security_row = QHBoxLayout()
        security_row.setContentsMargins(0, 0, 0, 0)
        security_row.addWidget(self.security)
        security_row.addWidget(self.allow_plain, 1)
        security = QWidget()
        security.setLayout(security_row)
        form.addRow("Encr&yption:", self._with_error(security, "security"))
        self._set_plain_allowed(False)

        self.user = self._line("user", "usually your email address")
        form.addRow("&User name:", self._with_error(self.user, "user"))
        self.sender = self._line("sender", "defaults to the user name when it is an address")
        form.addRow("&From:", self._with_error(self.sender, "sender"))

        self.password = self._line("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember in the system keyring")
        self.remember.setObjectName("remember")
        self.remember.setToolTip("The password is kept by your operating system, never in a file")
        password_row = QHBoxLayout()
        password_row.setContentsMargins(0, 0, 0, 0)
        password_row.addWidget(self.password, 1)
        password_row.addWidget(self.remember)
        password = QWidget()
        password.setLayout(password_row)
        form.addRow("&Password:", self._with_error(password, "password"))

        self.test_button = QPushButton("Send test")
        self.test_button.setObjectName("send_test")
        self.test_button.setToolTip("Send a short test message to the From address")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.send_test)
        test_row = QHBoxLayout()
        test_row.setContentsMargins(0, 0, 0, 0)
        test_row.addWidget(self.test_button)
        test_row.addWidget(self._error_label("smtp"), 1)
        test_row.addStretch(0)
        test = QWidget()
        test.setLayout(test_row)
        form.addRow("", test)
        return box

    # --- settings ---------------------------------------------------------------------------
    def _load(self, settings: MailSettings) -> None:
        smtp = settings.smtp
        self.host.setText(smtp.host)
        self.port.setValue(smtp.port)
        if smtp.security == Security.PLAIN:
            self.allow_plain.setChecked(True)  # chosen explicitly before, so allowed
        self.security.setCurrentIndex(self.security.findData(smtp.security))
        self._security_changed()
        self.user.setText(smtp.username)
        self.sender.setText(smtp.sender)
        if smtp.host and smtp.username:
            stored = mail.load_password(smtp.host, smtp.username)
            if stored:
                self.password.setText(stored)
                self.remember.setChecked(True)
        self.method_buttons[settings.method].setChecked(True)
        self._method_toggled()

    def method(self) -> SendMethod:
        return next(
            (m for m, b in self.method_buttons.items() if b.isChecked()), SendMethod.MAIL_APP
        )

    def smtp_settings(self) -> SmtpSettings:
        """The SMTP settings as typed (timeout and CA file kept from the remembered ones)."""
        return SmtpSettings(
            host=self.host.text().strip(),
            port=self.port.value(),
            security=Security(self.security.currentData()),
            username=self.user.text().strip(),
            sender=self.sender.text().strip(),
            timeout=self.settings.smtp.timeout,
            ca_file=self.settings.smtp.ca_file,
        )

    def _remember_settings(self) -> None:
        self.settings = MailSettings(method=self.method(), smtp=self.smtp_settings())
        try:
            mail.save_settings(self.settings)
        except OSError as exc:
            log.warning("mail settings not saved: %s", exc.strerror or exc)

    # --- reactions ----------------------------------------------------------------------------
    def _touch(self, key: str) -> None:
        self.touched.add(key)

    def _method_toggled(self, *_: Any) -> None:
        method = self.method()
        self.smtp_box.setVisible(method == SendMethod.SMTP)
        self.send_button.setText(_SEND_LABELS[method])
        self.validate()
        if self.isVisible():
            # Fit the height to the shown parts; keep the width the user chose.
            self.resize(self.width(), self.sizeHint().height())

    def _set_plain_allowed(self, allowed: bool) -> None:
        model = self.security.model()
        assert isinstance(model, QStandardItemModel)
        item = model.item(self.security.findData(Security.PLAIN))
        item.setEnabled(allowed)

    def _allow_plain_toggled(self, allowed: bool) -> None:
        self._set_plain_allowed(allowed)
        if not allowed and self.security.currentData() == Security.PLAIN:
            self.security.setCurrentIndex(self.security.findData(Security.STARTTLS))
        self.validate()

    def _security_changed(self) -> None:
        security = Security(self.security.currentData())
        self.port.setSpecialValueText(f"default ({DEFAULT_PORTS[security]})")
        self.validate()

    # --- validation ---------------------------------------------------------------------------
    def problems(self) -> list[Problem]:
        """Everything that keeps the chosen method from working, as the engine words it."""
        method = self.method()
        all_mail = mail.mail_problems(
            self.pdf_path,
            self.to.text(),
            self.subject.text(),
            self.body.toPlainText(),
            self.sender.text() if method == SendMethod.SMTP else "",
            self.cc.text(),
        )
        if method == SendMethod.REVEAL:
            return [p for p in all_mail if p.field == "pdf"]
        if method == SendMethod.MAIL_APP:
            return all_mail
        return all_mail + self.smtp_problems()

    def smtp_problems(self) -> list[Problem]:
        settings = self.smtp_settings()
        out = settings.problems()
        if settings.security == Security.PLAIN and not self.allow_plain.isChecked():
            out.append(Problem("smtp.security", "error", "tick 'Allow unencrypted' first"))
        if not settings.effective_sender and not any(p.field == "smtp.from" for p in out):
            out.append(
                Problem(
                    "smtp.from",
                    "error",
                    "enter the sender address (the From of the email)",
                )
            )
        if settings.username and not self.password.text():
            out.append(
                Problem("smtp.password", "error", f"enter the password for {settings.username}")
            )
        return out

    def _shown(self, key: str) -> bool:
        """Show a field's problem once the user typed in it, or when it is not empty."""
        if key in self.touched:
            return True
        widget = {
            "to": self.to,
            "cc": self.cc,
            "subject": self.subject,
            "sender": self.sender,
            "host": self.host,
            "user": self.user,
        }.get(key)
        if widget is not None:
            return bool(widget.text().strip())
        if key == "password":
            return bool(self.user.text().strip())
        return key in ("pdf", "body", "security", "smtp")

    def validate(self) -> list[Problem]:
        """Show the problems next to their fields; Send is enabled only without any."""
        if not self._built:
            return []
        problems = [p for p in self.problems() if p.severity == "error"]
        messages: dict[str, list[str]] = {}
        hidden: list[Problem] = []
        for problem in problems:
            key = _LABEL_FOR_FIELD.get(problem.field, "")
            if key and self._shown(key):
                messages.setdefault(key, []).append(problem.message)
            else:
                hidden.append(problem)
        for key, label in self.errors.items():
            text = "\n".join(dict.fromkeys(messages.get(key, [])))
            label.setText(text)
            label.setVisible(bool(text))
        self.send_button.setEnabled(not self.busy and not problems)
        smtp_ready = not [p for p in self.smtp_problems() if p.severity == "error"]
        self.test_button.setEnabled(not self.busy and smtp_ready)
        if not self.busy:
            hint = hidden[0] if hidden else None
            self.status.setText(f"To send: {hint.message}." if hint else "")
        return problems

    # --- sending ------------------------------------------------------------------------------
    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy = busy
        self.busy_bar.setVisible(busy)
        for widget in (*self.method_buttons.values(), self.smtp_box):
            widget.setEnabled(not busy)
        if message:
            self.status.setText(message)
        if not busy:
            # The status holds the outcome; validate() would replace it with a hint.
            status = self.status.text()
            self.validate()
            self.status.setText(status)
        else:
            self.send_button.setEnabled(False)
            self.test_button.setEnabled(False)

    def _compose(self) -> mail.ReportEmail | None:
        try:
            return mail.compose(
                self.pdf_path,
                self.to.text(),
                subject=self.subject.text(),
                body=self.body.toPlainText(),
                sender=self.sender.text() if self.method() == SendMethod.SMTP else "",
                cc=self.cc.text(),
            )
        except mail.MailError as exc:
            show_error(self, "Email not ready", exc)
            return None

    def send(self) -> Any:
        """Send the report the chosen way, in the background.

        Returns:
            The worker's signals (tests wait on them), or None when nothing was started.
        """
        if self.busy or self.validate():
            return None
        method = self.method()
        self._remember_settings()
        if method == SendMethod.REVEAL:
            pdf = self.pdf_path
            reveal = type(self).reveal_in_folder
            self._set_busy(True, "Opening the report's folder…")
            return worker.run(lambda: reveal(pdf), self._revealed, self._failed)
        composed = self._compose()
        if composed is None:
            return None
        if method == SendMethod.MAIL_APP:
            opener = type(self).open_in_mail_app
            self._set_busy(True, "Saving the draft and opening your mail app…")
            return worker.run(
                lambda: _draft_and_open(composed, opener), self._drafted, self._failed
            )
        settings = self.smtp_settings()
        password = self.password.text() or None
        self._set_busy(True, f"Sending through {settings.host}…")
        return worker.run(
            lambda: mail.send_email(composed, settings, password),
            self._sent_smtp,
            self._failed,
        )

    def send_test(self) -> Any:
        """Send a short test message to the From address with the settings as typed."""
        if self.busy:
            return None
        settings = self.smtp_settings()
        password = self.password.text() or None
        self._remember_settings()
        self._set_busy(True, f"Sending a test message through {settings.host}…")
        return worker.run(
            lambda: mail.send_test(settings, password), self._tested, self._test_failed
        )

    def _keep_password(self) -> None:
        """After a successful login: keep or forget the password as the checkbox says."""
        settings = self.smtp_settings()
        if not settings.username or not settings.host:
            return
        if self.remember.isChecked() and self.password.text():
            try:
                mail.store_password(settings.host, settings.username, self.password.text())
            except mail.MailError as exc:
                show_warning(self, "Password not remembered", str(exc.problems[0].message))
        elif not self.remember.isChecked():
            mail.forget_password(settings.host, settings.username)

    def _finish(self, message: str) -> None:
        self._set_busy(False, message)
        self.sent.emit(message)
        self.accept()

    def _revealed(self, _: Any) -> None:
        if shiboken6.isValid(self):
            self._finish(f"Opened the folder of {self.pdf_path.name}.")

    def _drafted(self, draft: Path) -> None:
        if shiboken6.isValid(self):
            self._finish(f"Saved the draft {draft.name} beside the report and opened it.")

    def _sent_smtp(self, result: mail.SendResult) -> None:
        if not shiboken6.isValid(self):
            return
        self._keep_password()
        self._finish(
            f"Sent {self.pdf_path.name} to {', '.join(result.recipients)} via "
            f"{result.host}:{result.port}."
        )

    def _tested(self, result: mail.SendResult) -> None:
        if not shiboken6.isValid(self):
            return
        self._keep_password()
        self._set_busy(False, f"Test message sent to {', '.join(result.recipients)}.")

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False, "Not sent. The report stays where it is.")
        show_error(self, "Email not sent", exc)

    def _test_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._set_busy(False, "The test message was not sent.")
        show_error(self, "Test message not sent", exc)


def _draft_and_open(composed: mail.ReportEmail, opener: Callable[..., Any]) -> Path:
    """Worker op: save the ``.eml`` draft beside the report, then open it in the mail app."""
    draft = mail.write_draft(composed)
    try:
        opener(draft, composed)
    except mail.MailError as exc:
        first = exc.problems[0]
        raise mail.MailError(
            Problem(first.field, first.severity, f"{first.message}; the draft is saved at {draft}"),
            draft=draft,
        ) from None
    return draft
