"""Not imported: lets coverage find every file under apps/ (it searches only directories with this file)."""
