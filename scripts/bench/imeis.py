"""The benchmarks' IMEIs: Luhn-valid, distinct, the same in every script (and as fota-bench makes them)."""


def imei(prefix, n):
    """prefix + serial to 14 digits + Luhn check digit."""
    body = f"{prefix}{n:0{14 - len(prefix)}d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return body + str((10 - total % 10) % 10)
