"""django-import-export resources: small reference data edited as spreadsheets in the admin.

Department feeds do not go through here (they take the COPY path in `imports.loading`); this is
for the department list, a few dozen rows that an admin may export, edit and import back.
"""

from import_export import fields, resources

from imports.models import Department


class DepartmentResource(resources.ModelResource):
    """Departments keyed by their stable code, so re-importing an edited export renames in place."""

    code = fields.Field(attribute="code", column_name="code")
    name = fields.Field(attribute="name", column_name="name")

    class Meta:
        model = Department
        fields = ("code", "name")
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
