/* The admin export page's "select all" box (templates/admin/import_export/export.html): bound here
 * instead of in an onchange attribute, which the Content-Security-Policy refuses. */
document.querySelectorAll("input.select-toggle").forEach((box) => {
  box.addEventListener("change", (event) => window.onSelectToggleChange(event));
});
