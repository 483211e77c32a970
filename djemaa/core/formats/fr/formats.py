# "13 octobre 2021, 19h21": how French forums write a moment.
DATETIME_FORMAT = r"j F Y, H\hi"
DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = r"d/m/Y H\hi"
