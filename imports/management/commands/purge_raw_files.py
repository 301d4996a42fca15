from households.retention import RetentionCommand
from imports.retention import raw_files_purge


class Command(RetentionCommand):
    help = (
        "删除导入结束（成功或文件被拒）超过保存期限（默认 RAW_FILE_RETENTION_DAYS 天）的原始上传文件；"
        "批次的 SHA-256、计数和被拒绝的行保留。排队中、导入中和失败的批次保留文件（可能需要重新导入）。"
    )
    setting = "RAW_FILE_RETENTION_DAYS"
    done = "已删除 %d 个批次的原始文件"

    def purge(self, days):
        return raw_files_purge(days=days)
