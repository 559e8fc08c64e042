"""Key pair actions (Nova): import a public key, create a new pair, delete.

A new pair is generated here (ed25519, with ``cryptography``): Nova stopped generating keys at
compute 2.92, and a private key made here never crosses the network. Only its public half is
sent; the private half goes to the file the user names (0600, never overwriting), and is
never shown, logged or kept anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tuicloud.cloud.operations.base import KindOperations, Operation, Raw, always_available
from tuicloud.cloud.private_files import write_private_file

if TYPE_CHECKING:
    from tuicloud.cloud.connection import CloudSession

__all__ = ["OPERATIONS", "GeneratedKey", "generate_key", "import_command", "import_keypair",
           "read_public_key", "save_private_key"]

PUBLIC_KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                    "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
                    "sk-ecdsa-sha2-nistp256@openssh.com")
MAX_PUBLIC_KEY = 16 * 1024  # an OpenSSH public key is a line; a bigger file is not one


@dataclass(frozen=True)
class GeneratedKey:
    """A new pair: the public line (sent) and the private key (written to a file only)."""

    public: str
    private: bytes

    def __repr__(self) -> str:  # never print the private half by accident
        return f"GeneratedKey(public={self.public[:24]!r}…)"


def generate_key(comment: str) -> GeneratedKey:
    """A new ed25519 pair, the public half as an OpenSSH line ending in ``comment``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return GeneratedKey(f"{public} {comment}".strip(), private)


def read_public_key(path: str) -> tuple[str | None, str | None]:
    """(the public key line, why not): the file must hold one OpenSSH public key."""
    file = Path(path).expanduser()
    try:
        if file.stat().st_size > MAX_PUBLIC_KEY:
            return None, "too big for a public key (is it the private one?)"
        text = file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None, "no such file"
    except (OSError, UnicodeDecodeError) as error:
        return None, f"cannot read it: {getattr(error, 'strerror', None) or error}"
    if "PRIVATE KEY" in text:
        return None, "this is a private key: choose its .pub file"
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1 or lines[0].split()[0] not in PUBLIC_KEY_TYPES \
            or len(lines[0].split()) < 2:
        return None, "not an OpenSSH public key (ssh-ed25519 AAAA… or ssh-rsa AAAA…)"
    return lines[0], None


def save_private_key(path: str, key: GeneratedKey) -> str | None:
    """Write the private key to ``path`` (created 0600, never over an existing file): why not,
    or None."""
    why = write_private_file(path, key.private)
    return why.replace("existing file", "existing key") if why else None


def import_command(name: str, public_key_file: str) -> list[str]:
    """``openstack keypair create --public-key FILE NAME``."""
    return ["openstack", "keypair", "create", "--public-key", public_key_file, name]


def import_keypair(session: CloudSession, name: str, public_key: str) -> str:
    """Send the public key (blocking; ReadOnlyError before sending): the pair's name."""
    body, _ = session.request("POST", "compute", "/os-keypairs",
                              json={"keypair": {"name": name, "public_key": public_key}},
                              description=f"import key pair {name}")
    made = body.get("keypair") if isinstance(body, dict) else None
    return str(made.get("name") or name) if isinstance(made, dict) else name


def _name(raw: Raw) -> str:
    """A key pair is known by its name (its ``id``, where shown, is Nova's row number)."""
    return str(raw.get("name") or "")



def _delete(session: CloudSession, raw: Raw, _value: str | None) -> None:
    from urllib.parse import quote

    session.request("DELETE", "compute", f"/os-keypairs/{quote(_name(raw), safe='')}",
                    description=f"delete key pair {_name(raw)}")


OPERATIONS = KindOperations("keypairs", "key pair", (
    Operation(
        "keypair.delete", "keypairs", "Delete", always_available, _delete,
        lambda raw, _v: ["openstack", "keypair", "delete", _name(raw)],
        destructive=True, deletes=True, keywords=("remove",)),
))
