"""Issue 19, defect 10: erased personal data leaves no copy in the database file, whatever SQLite's default.

CPython's Windows builds compile SQLite with secure_delete off (Debian's has it on): every connection sets it.
"""

from __future__ import annotations

import datetime as dt

import pytest

import neiqin.db as dbmod
from neiqin import clock
from neiqin.db import close_database, open_database

PHONE, ID_NUMBER = "13987654321", "11010519491231002X"


def raw_copies(datadir) -> int:
    data = b"".join(p.read_bytes() for p in datadir.root.glob("neiqin.sqlite*"))
    return data.count(PHONE.encode()) + data.count(ID_NUMBER.encode())


def erase_one_visitor(datadir) -> int:
    from neiqin.models import STAFF
    from neiqin.models.visitors import check_in, erase_expired_personal_data

    database = open_database(datadir.db_path, datadir.backups)
    try:
        host = STAFF.create({"name": "张三", "department": "办公室", "mobile": "13812345678"})
        old = clock.today() - dt.timedelta(days=400)
        for i in range(30):  # many rows, as weeks of visits would leave
            check_in({"name": "李四" + "一二三四五六七八九十"[i % 10] * (i // 10 + 1), "host": host.id, "id_number": ID_NUMBER, "phone": PHONE,
                      "visit_date": old, "arrive_at": dt.datetime.combine(old, dt.time(9))})
        assert database.execute_sql("PRAGMA secure_delete").fetchone()[0] == dbmod.PRAGMAS["secure_delete"]
        assert erase_expired_personal_data() == 30
    finally:
        close_database()
    return raw_copies(datadir)


def test_no_copy_of_an_erased_phone_number_in_the_file(tmp_path):
    from neiqin.paths import DataDir

    assert erase_one_visitor(DataDir(tmp_path / "d").ensure()) == 0


def test_the_check_finds_copies_when_secure_delete_is_off(tmp_path, monkeypatch):
    """As on Windows before the fix: the same erasure with secure_delete off leaves copies behind."""
    from neiqin.paths import DataDir

    monkeypatch.setitem(dbmod.PRAGMAS, "secure_delete", 0)
    assert erase_one_visitor(DataDir(tmp_path / "d").ensure()) > 0


def test_no_copy_left_in_the_wal_while_the_window_stays_open(tmp_path):
    from neiqin.models import STAFF
    from neiqin.models.visitors import check_in, erase_expired_personal_data
    from neiqin.paths import DataDir

    d = DataDir(tmp_path / "d").ensure()
    open_database(d.db_path, d.backups)
    try:
        host = STAFF.create({"name": "张三", "department": "办公室", "mobile": "13812345678"})
        old = clock.today() - dt.timedelta(days=400)
        check_in({"name": "李四", "host": host.id, "id_number": ID_NUMBER, "phone": PHONE, "visit_date": old,
                  "arrive_at": dt.datetime.combine(old, dt.time(9))})
        assert raw_copies(d) > 0
        erase_expired_personal_data()
        assert raw_copies(d) == 0  # the window still open: the -wal file was checkpointed and truncated
    finally:
        close_database()


def test_a_backup_over_4_gb_to_fat32_is_refused_before_writing(tmp_path, monkeypatch):
    from neiqin import backup, winfs
    from neiqin.paths import DataDir

    d = DataDir(tmp_path / "d").ensure()
    open_database(d.db_path, d.backups)
    try:
        usb = tmp_path / "usb" / backup.USB_FOLDER
        monkeypatch.setattr(winfs, "filesystem_type", lambda path: "FAT32")
        monkeypatch.setattr(winfs, "FAT_MAX_FILE", 50_000)  # a small database stands for a 4 GB one
        with pytest.raises(backup.TargetWriteError, match="FAT32 格式，单个文件不能超过 4 GB") as e:
            backup.create_backup(d, usb)
        assert "空间不足" not in str(e.value) and list(usb.iterdir()) == []
        monkeypatch.setattr(winfs, "filesystem_type", lambda path: "exFAT")
        assert backup.create_backup(d, usb).path.exists()
    finally:
        close_database()


def test_file_system_of_a_folder_from_proc_mounts():
    from pathlib import Path

    from neiqin.winfs import mount_fstype

    mounts = ("/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /media/clerk/KINGSTON vfat rw 0 0\n"
              "/dev/sdc1 /media/clerk/U\\040盘 exfat rw 0 0\n")
    assert mount_fstype(mounts, Path("/media/clerk/KINGSTON/内勤台账备份")) == "vfat"
    assert mount_fstype(mounts, Path("/media/clerk/U 盘/内勤台账备份")) == "exfat"
    assert mount_fstype(mounts, Path("/media/clerk/KINGSTONX")) == "ext4"
    assert mount_fstype(mounts, Path("/home/clerk")) == "ext4"
