"""A local SMTP server for the mail tests (aiosmtpd on 127.0.0.1), never a real one."""
import contextlib
import email
import email.policy
import threading

from aiosmtpd.controller import Controller

from tests.browser import free_port


class Inbox:
    """aiosmtpd handler: keeps every envelope it receives."""

    def __init__(self):
        self.envelopes = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.arrived.set()
        return "250 OK"

    def messages(self):
        """(sorted recipients, the parsed message) per mail received."""
        return [(sorted(e.rcpt_tos), email.message_from_bytes(e.content, policy=email.policy.default))
                for e in self.envelopes]


@contextlib.contextmanager
def local_smtp():
    """(the inbox, its port) while a local SMTP server runs."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
