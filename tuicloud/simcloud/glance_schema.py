"""Glance v2 JSON schemas (``/v2/schemas/image``, ``/images``, ``/member``, ``/members``).

Written after the Image API reference: the base image attributes with their types, enums and
read-only flags, custom properties as strings. The SDK and the CLI fetch these; the sim also uses
the enums and read-only set for validation.
"""

from __future__ import annotations

from typing import Any

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
VISIBILITIES = ("public", "private", "shared", "community")
STATUSES = ("queued", "saving", "active", "killed", "deleted", "pending_delete", "deactivated",
            "uploading", "importing")
READ_ONLY = frozenset({"id", "status", "checksum", "os_hash_algo", "os_hash_value", "size",
                       "virtual_size", "created_at", "updated_at", "self", "file", "schema",
                       "direct_url", "stores"})
RESERVED = frozenset({"deleted", "deleted_at", "location", "is_public"})
UUID_PATTERN = ("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                "-([0-9a-fA-F]){12}$")


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": ["null", kind], **extra}


def _base_property(description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "is_base": False, "type": "string", **extra}


def image_schema() -> dict[str, Any]:
    """The ``image`` schema document."""
    props: dict[str, Any] = {
        "id": {"description": "An identifier for the image", "pattern": UUID_PATTERN,
               "type": "string"},
        "name": _nullable("string", description="Descriptive name for the image", maxLength=255),
        "status": {"description": "Status of the image", "enum": list(STATUSES),
                   "readOnly": True, "type": "string"},
        "visibility": {"description": "Scope of image accessibility",
                       "enum": list(VISIBILITIES), "type": "string"},
        "protected": {"description": "If true, image will not be deletable.",
                      "type": "boolean"},
        "os_hidden": {"description": "If true, image will not appear in default image list "
                                     "response.", "type": "boolean"},
        "checksum": _nullable("string", description="md5 hash of image contents.",
                              maxLength=32, readOnly=True),
        "os_hash_algo": _nullable("string", description="Algorithm to calculate the "
                                  "os_hash_value", maxLength=64, readOnly=True),
        "os_hash_value": _nullable("string", description="Hexdigest of the image contents "
                                   "using the algorithm specified by the os_hash_algo",
                                   maxLength=128, readOnly=True),
        "owner": _nullable("string", description="Owner of the image", maxLength=255),
        "size": _nullable("integer", description="Size of image file in bytes",
                          readOnly=True),
        "virtual_size": _nullable("integer", description="Virtual size of image in bytes",
                                  readOnly=True),
        "container_format": _nullable("string", description="Format of the container",
                                      enum=[None, *CONTAINER_FORMATS]),
        "disk_format": _nullable("string", description="Format of the disk",
                                 enum=[None, *DISK_FORMATS]),
        "created_at": {"description": "Date and time of image registration",
                       "readOnly": True, "type": "string"},
        "updated_at": {"description": "Date and time of the last image modification",
                       "readOnly": True, "type": "string"},
        "tags": {"description": "List of strings related to the image",
                 "items": {"maxLength": 255, "type": "string"}, "type": "array"},
        "direct_url": {"description": "URL to access the image file kept in external store",
                       "readOnly": True, "type": "string"},
        "min_ram": {"description": "Amount of ram (in MB) required to boot image.",
                    "type": "integer"},
        "min_disk": {"description": "Amount of disk space (in GB) required to boot image.",
                     "type": "integer"},
        "self": {"description": "An image self url", "readOnly": True, "type": "string"},
        "file": {"description": "An image file url", "readOnly": True, "type": "string"},
        "stores": {"description": "Store in which image data resides.  Only present when the "
                                  "operator has enabled multiple stores.",
                   "readOnly": True, "type": "string"},
        "schema": {"description": "An image schema url", "readOnly": True, "type": "string"},
        "locations": {"description": "A set of URLs to access the image file kept in external "
                                     "store", "type": "array",
                      "items": {"type": "object", "required": ["url", "metadata"],
                                "properties": {"url": {"type": "string", "maxLength": 255},
                                               "metadata": {"type": "object"}}}},
        "kernel_id": _nullable("string", description="ID of image stored in Glance that should "
                               "be used as the kernel when booting an AMI-style image.",
                               pattern=UUID_PATTERN, is_base=False),
        "ramdisk_id": _nullable("string", description="ID of image stored in Glance that "
                                "should be used as the ramdisk when booting an AMI-style image.",
                                pattern=UUID_PATTERN, is_base=False),
        "instance_uuid": _base_property("Metadata which can be used to record which instance "
                                        "this image is associated with."),
        "architecture": _base_property("Operating system architecture"),
        "os_distro": _base_property("Common name of operating system distribution"),
        "os_version": _base_property("Operating system version as specified by the "
                                     "distributor"),
    }
    return {
        "name": "image",
        "properties": props,
        "additionalProperties": {"type": "string"},
        "links": [{"href": "{self}", "rel": "self"}, {"href": "{file}", "rel": "enclosure"},
                  {"href": "{schema}", "rel": "describedby"}],
    }


def images_schema() -> dict[str, Any]:
    """The ``images`` (list) schema document."""
    return {
        "name": "images",
        "properties": {"images": {"type": "array", "items": image_schema()},
                       "schema": {"type": "string"}, "first": {"type": "string"},
                       "next": {"type": "string"}},
        "links": [{"href": "{first}", "rel": "first"}, {"href": "{next}", "rel": "next"},
                  {"href": "{schema}", "rel": "describedby"}],
    }


def member_schema() -> dict[str, Any]:
    """The ``member`` schema document."""
    return {
        "name": "member",
        "properties": {
            "created_at": {"description": "Date and time of image member creation",
                           "type": "string"},
            "image_id": {"description": "An identifier for the image", "pattern": UUID_PATTERN,
                         "type": "string"},
            "member_id": {"description": "An identifier for the image member (tenantId)",
                          "type": "string"},
            "schema": {"readOnly": True, "type": "string"},
            "status": {"description": "The status of this image member",
                       "enum": ["pending", "accepted", "rejected"], "type": "string"},
            "updated_at": {"description": "Date and time of last modification of image member",
                           "type": "string"},
        },
    }


def members_schema() -> dict[str, Any]:
    """The ``members`` (list) schema document."""
    return {"name": "members",
            "properties": {"members": {"type": "array", "items": member_schema()},
                           "schema": {"type": "string"}},
            "links": [{"href": "{schema}", "rel": "describedby"}]}
