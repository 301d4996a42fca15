from django.core.management.base import BaseCommand

from assistance.management.commands.seed_demo import DEMO_PASSWORD
from households.models import User


class Command(BaseCommand):
    help = "打印演示地址与演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port: int, **options):
        self.stdout.write(f"\n救助监测 已启动： http://127.0.0.1:{port}/\n")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        users = User.objects.select_related("scope").order_by("id")
        town_caseworkers = users.filter(username__regex=r"^jingban_\d+$")
        for user in users.exclude(pk__in=town_caseworkers):
            scope = f"{user.scope.name}（{user.scope.code}）" if user.scope else "全部"
            self.stdout.write(f"  {user.username:<12} {user.get_role_display():<6} {scope}")
        if town_caseworkers:
            self.stdout.write(
                f"  另有 {len(town_caseworkers)} 名乡镇经办人（用户名 jingban_<乡镇代码>，如 {town_caseworkers[0].username}）"
            )
        self.stdout.write("")
