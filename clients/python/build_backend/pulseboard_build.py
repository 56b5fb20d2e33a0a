"""A PEP 517 build backend in the standard library, so `pip install ./clients/python` works offline: pip's build
isolation would otherwise fetch setuptools from an index. It builds one pure-Python wheel from pulseboard/*.py."""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME, VERSION = "pulseboard", "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST_INFO = "%s-%s.dist-info" % (NAME, VERSION)
METADATA = """Metadata-Version: 2.1
Name: pulseboard
Version: %s
Summary: Pulseboard client: append events without blocking; batches, retries with ids, a disk spool while the server is down
Requires-Python: >=3.9
License: MIT
""" % VERSION
WHEEL = "Wheel-Version: 1.0\nGenerator: pulseboard_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_sdist = get_requires_for_build_editable = get_requires_for_build_wheel


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    folder = os.path.join(metadata_directory, DIST_INFO)
    os.makedirs(folder, exist_ok=True)
    for name, text in (("METADATA", METADATA), ("WHEEL", WHEEL)):
        with open(os.path.join(folder, name), "w") as file:
            file.write(text)
    return DIST_INFO


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def _wheel(wheel_directory, files):
    name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    files = list(files) + [(DIST_INFO + "/METADATA", METADATA.encode()), (DIST_INFO + "/WHEEL", WHEEL.encode())]
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files:
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
        record.append(DIST_INFO + "/RECORD,,")
        wheel.writestr(DIST_INFO + "/RECORD", "\n".join(record) + "\n")
    return name


def _sources():
    package = os.path.join(ROOT, NAME)
    for entry in sorted(os.listdir(package)):
        if entry.endswith(".py"):
            with open(os.path.join(package, entry), "rb") as file:
                yield "%s/%s" % (NAME, entry), file.read()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, _sources())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, [("%s.pth" % NAME, (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    name = "%s-%s" % (NAME, VERSION)
    with tarfile.open(os.path.join(sdist_directory, name + ".tar.gz"), "w:gz") as sdist:
        for entry in ("pyproject.toml", "README.md", NAME, "build_backend"):
            sdist.add(os.path.join(ROOT, entry), arcname="%s/%s" % (name, entry),
                      filter=lambda info: None if "__pycache__" in info.name else info)
        info = tarfile.TarInfo(name + "/PKG-INFO")
        info.size = len(METADATA)
        sdist.addfile(info, io.BytesIO(METADATA.encode()))
    return name + ".tar.gz"
