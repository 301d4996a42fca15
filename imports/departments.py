"""The departments that send files to the platform, and which department sends which category."""

from imports.models import FeedCategory

# (code, name): Cangzhou's 16 departments sharing data with civil affairs.
DEPARTMENTS = [
    ("civil_affairs", "民政局"),
    ("healthcare_security", "医疗保障局"),
    ("health_commission", "卫生健康委员会"),
    ("disabled_persons_federation", "残疾人联合会"),
    ("human_resources", "人力资源和社会保障局"),
    ("public_security", "公安局"),
    ("natural_resources", "自然资源和规划局"),
    ("market_regulation", "市场监督管理局"),
    ("housing_fund", "住房公积金管理中心"),
    ("taxation", "税务局"),
    ("agriculture", "农业农村局"),
    ("education", "教育局"),
    ("housing", "住房和城乡建设局"),
    ("veterans_affairs", "退役军人事务局"),
    ("emergency_management", "应急管理局"),
    ("trade_union", "总工会"),
]

CATEGORY_DEPARTMENT = {
    FeedCategory.ROSTER: "civil_affairs",
    FeedCategory.MEDICAL_SETTLEMENT: "healthcare_security",
    FeedCategory.DIAGNOSIS: "health_commission",
    FeedCategory.DISABILITY_CERTIFICATE: "disabled_persons_federation",
    FeedCategory.UNEMPLOYMENT_REGISTRATION: "human_resources",
    # the bank's return file reaches the county civil-affairs finance office
    FeedCategory.PAYMENT_RETURN: "civil_affairs",
}


def seed_departments(department_model) -> None:
    """Create or rename the departments; safe to run again (used by a data migration and tests)."""
    for code, name in DEPARTMENTS:
        department_model.objects.update_or_create(code=code, defaults={"name": name})
