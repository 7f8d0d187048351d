"""gunicorn's access log without citizens' addresses.

Every line of the access log holds the request line, and citizens' tracking codes are in their URLs
(`/pakn/tra-cuu/<code>/`): the raw address beside it would tie a complaint to a person's connection for as long as
the logs are kept. `PrivateAccessLogger` (bin/serve passes it as `--logger-class`) writes a short keyed hash
instead of the client address and of the forwarding headers: requests from one address still group together for
operators, but the address cannot be read back. The key is the Django secret key, so the hashes of two
installations never match.
"""

import hashlib
import hmac
import os

from gunicorn import glogging

# The client address atom, and any request header or environ atom that carries an address.
ADDRESS_MARKERS = ("remote_addr", "forwarded", "real-ip", "real_ip", "client-ip", "client_ip")
SALT = b"hailong.access-log"


def hash_address(address: str) -> str:
    """A 12-character keyed hash of `address`; "-" (no address) stays "-"."""
    if not address or address == "-":
        return "-"
    key = SALT + os.environ.get("DJANGO_SECRET_KEY", "").encode()
    return "ip:" + hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:12]


class PrivateAccessLogger(glogging.Logger):
    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if name == "h" or any(marker in name for marker in ADDRESS_MARKERS):
                atoms[name] = hash_address(str(value))
        return atoms
