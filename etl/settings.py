"""Every setting declared once, with its default and help text. `data/settings.toml` overrides."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
SETTINGS_FILE = DATA_DIR / "settings.toml"
DEFAULT_DB = DATA_DIR / "warehouse.duckdb"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help_vi: str


SETTINGS = [
    Setting("office_name", "Phòng Giáo dục và Đào tạo", "Tên đơn vị quản lý hiển thị trên trang và báo cáo."),
    Setting("province_code", 40, "Mã tỉnh (danh mục hành chính sau 1/7/2025) dùng để tra mã phường/xã mới."),
    Setting("max_file_mb", 50, "Dung lượng tối đa của một tệp nạp vào (MB)."),
    Setting("max_unzipped_mb", 300,
            "Dung lượng tối đa sau giải nén của một tệp .xlsx/.ods (MB), chống tệp nén bất thường."),
    Setting("max_rows_per_sheet", 20000, "Số dòng tối đa của một trang tính."),
    Setting("max_columns_per_sheet", 400, "Số cột tối đa của một trang tính."),
    Setting("max_sheets", 60, "Số trang tính tối đa của một tệp."),
    Setting("max_memory_mb_per_file", 1536,
            "Bộ nhớ tối đa để đọc một tệp (MB); tệp cần nhiều hơn (ví dụ khai báo hàng triệu ô) bị từ chối."),
    Setting("max_seconds_per_file", 120, "Thời gian tối đa để đọc một tệp (giây); quá thời gian thì tệp bị từ chối."),
    Setting("keep_versions", 5, "Số phiên bản kho trước các lần nạp gần nhất được giữ lại để hoàn tác."),
    Setting("reader_processes", 2, "Số tiến trình đọc tệp song song (mỗi tệp đọc trong một tiến trình riêng)."),
    Setting("change_warn_ratio", 0.5,
            "Cảnh báo khi số liệu quy mô thay đổi quá tỷ lệ này so với kỳ trước (0,5 = 50%)."),
    Setting("change_warn_min", 10,
            "Chỉ cảnh báo thay đổi so với kỳ trước khi chênh lệch tuyệt đối từ mức này trở lên."),
    # metrics (DOMAIN §6-8)
    Setting("computer_target_TH", 3, "Tiểu học: tối đa số học sinh dùng chung một máy tính trong giờ Tin học."),
    Setting("computer_target_THCS", 2, "THCS: tối đa số học sinh dùng chung một máy tính trong giờ Tin học."),
    Setting("computer_target_TH_THCS", 2,
            "Trường liên cấp TH&THCS: tối đa số học sinh dùng chung một máy (lấy mức chặt hơn của THCS)."),
    Setting("level2_min_score", 50, "QĐ 4725: điểm nhóm từ mức này trở lên (và không quá ngưỡng mức 3) là Mức 2."),
    Setting("level3_above_score", 75, "QĐ 4725: điểm nhóm lớn hơn mức này là Mức 3."),
    Setting("mandatory_rule", True,
            "Quy ước của phòng: nhóm chưa đạt đủ điều kiện bắt buộc (1.1, 1.2 hoặc 2.1, 2.2) thì xếp Mức 1."),
    Setting("cashless_low_pct", 30,
            "Đối chiếu minh chứng: tiêu chí 2.4.3 có điểm mà tỷ lệ thu không dùng tiền mặt dưới mức này thì gắn cờ."),
    Setting("plan_tolerance_pct", 10,
            "Tiến độ kế hoạch: chưa đạt nhưng cách chỉ tiêu không quá bấy nhiêu phần trăm chỉ tiêu "
            "thì là 'có nguy cơ'."),
    Setting("plan_deadline", "2025-12-31",
            "Hạn của kế hoạch (năm-tháng-ngày) mà phần dự báo tiến độ nhắm tới: giá trị dự báo tại ngày này và "
            "chỉ số có đạt chỉ tiêu trước ngày này không (kế hoạch 2025: cuối năm 2025)."),
    # e-mail of the reporting loop (etl/notify.py); the password only in the environment variable DX_SMTP_PASSWORD
    Setting("smtp_host", "",
            "Máy chủ gửi thư (SMTP), ví dụ smtp.gmail.com; để trống thì không gửi thư điện tử nào."),
    Setting("smtp_port", 587, "Cổng của máy chủ gửi thư (587 với STARTTLS, 465 với SSL, 25 không mã hoá)."),
    Setting("smtp_security", "starttls",
            "Cách mã hoá kết nối tới máy chủ thư: starttls, ssl hoặc none (không mã hoá, chỉ dùng trong mạng nội bộ)."),
    Setting("smtp_user", "",
            "Tên đăng nhập máy chủ thư (để trống nếu máy chủ không cần đăng nhập); mật khẩu đặt trong biến môi "
            "trường DX_SMTP_PASSWORD, không ghi vào tệp."),
    Setting("mail_from", "",
            "Địa chỉ gửi thư, ví dụ chuyendoiso@vinh.edu.vn (để trống: dùng tên đăng nhập máy chủ thư nếu đó là "
            "một địa chỉ thư)."),
    Setting("public_url", "",
            "Địa chỉ của bảng điều khiển mà người nhận thư mở được, ví dụ https://cds.vinh.edu.vn; "
            "để trống thì thư không kèm đường dẫn."),
]


def load_settings(path: Path | None = None) -> dict[str, object]:
    """The settings in force: data/settings.toml (or the file DX_SETTINGS names, e.g. a server's own) over the
    defaults."""
    return _read_settings(Path(path or os.environ.get("DX_SETTINGS") or SETTINGS_FILE))


@lru_cache(maxsize=4)
def _read_settings(path: Path) -> dict[str, object]:
    values = {s.name: s.default for s in SETTINGS}
    if path.exists():
        with open(path, "rb") as fh:
            overrides = tomllib.load(fh)
        unknown = set(overrides) - set(values)
        if unknown:
            raise ValueError(f"{path.name}: không có thiết lập {', '.join(sorted(unknown))}")
        values.update(overrides)
    return values


def setting(name: str) -> object:
    return load_settings()[name]
