# This file is part of OpenPrimărie.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A local mail catcher for the demo and the tests: an SMTP server on
loopback that stores every message as an .eml file (or in memory) and
delivers nothing.  Point trytond's `[email] uri` at it.

    python -m trytond.modules.citizen_portal.tests.mailcatcher --port 8025 \\
        --directory var/demo/mail
"""
import argparse
import email
import email.policy
import socketserver
import threading
import time
from pathlib import Path


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b'\r\n')

    def handle(self):
        self.reply('220 openprimarie-mailcatcher ESMTP')
        recipients = []
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            command = line.decode('utf-8', 'replace').strip()
            verb = command[:4].upper()
            if verb in {'HELO', 'EHLO'}:
                self.reply('250 openprimarie-mailcatcher')
            elif verb == 'MAIL':
                recipients = []
                self.reply('250 OK')
            elif verb == 'RCPT':
                recipients.append(command[8:].strip().strip('<>'))
                self.reply('250 OK')
            elif verb == 'DATA':
                self.reply('354 End data with <CR><LF>.<CR><LF>')
                self.server.catcher.store(self._read_data(), recipients)
                self.reply('250 OK: queued')
            elif verb == 'RSET':
                recipients = []
                self.reply('250 OK')
            elif verb == 'NOOP':
                self.reply('250 OK')
            elif verb == 'QUIT':
                self.reply('221 Bye')
                return
            else:
                self.reply('502 Command not implemented')

    def _read_data(self):
        lines = []
        while True:
            line = self.rfile.readline(1 << 20)
            if not line or line in {b'.\r\n', b'.\n'}:
                break
            if line.startswith(b'..'):
                line = line[1:]
            lines.append(line)
        return b''.join(lines)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class MailCatcher:
    "The messages caught, decoded (quoted-printable and all)"

    def __init__(self, host='127.0.0.1', port=0, directory=None):
        self.directory = Path(directory) if directory else None
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)
        self.messages = []
        self._lock = threading.Lock()
        self.server = _Server((host, port), _Handler)
        self.server.catcher = self
        self.host, self.port = self.server.server_address
        self._thread = None

    @property
    def uri(self):
        return f'smtp://{self.host}:{self.port}'

    def store(self, data, recipients):
        message = email.message_from_bytes(data, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            if self.directory:
                name = f'{time.strftime("%Y%m%d-%H%M%S")}-{len(self.messages):04d}.eml'
                (self.directory / name).write_bytes(data)

    def start(self):
        self._thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def to(self, address):
        "The messages sent to the address, oldest first"
        with self._lock:
            return [m for m in self.messages
                if address.lower() in str(m['To']).lower()]

    @staticmethod
    def text(message):
        "The readable text of a message (HTML parts included)"
        parts = []
        for part in message.walk():
            if part.get_content_maintype() == 'text':
                parts.append(part.get_content())
        return '\n'.join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8025)
    parser.add_argument('--directory', required=True,
        help="where to write the messages as .eml files")
    args = parser.parse_args()
    catcher = MailCatcher(args.host, args.port, args.directory)
    print(f"mailcatcher: {catcher.uri} → {args.directory}", flush=True)
    try:
        catcher.server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
