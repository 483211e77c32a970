from djemaa.core.tests.commandline import run_djemaa


def test_createadmin_without_a_terminal_or_password_says_what_to_do(tmp_path):
    assert run_djemaa("migrate", "-v", "0", tmp_path=tmp_path).returncode == 0
    result = run_djemaa("createadmin", "amina", tmp_path=tmp_path)
    assert result.returncode != 0
    assert (
        result.stderr.strip()
        == "CommandError: No terminal to ask for a password: set DJEMAA_ADMIN_PASSWORD."
    )


def test_createadmin_makes_an_administrator_who_can_sign_in(tmp_path):
    assert run_djemaa("migrate", "-v", "0", tmp_path=tmp_path).returncode == 0
    created = run_djemaa(
        "createadmin", "Amina", tmp_path=tmp_path, DJEMAA_ADMIN_PASSWORD="tres-long-mot-de-passe"
    )
    assert created.returncode == 0, created.stderr
    check = run_djemaa(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.contrib.auth import authenticate; "
        "u = authenticate(username='amina', password='tres-long-mot-de-passe'); "
        "print(u.username, u.is_staff, u.password.startswith('argon2'))",
        tmp_path=tmp_path,
    )
    assert check.stdout.split() == ["Amina", "True", "True"]
    again = run_djemaa(
        "createadmin", "AMINA", tmp_path=tmp_path, DJEMAA_ADMIN_PASSWORD="tres-long-mot-de-passe"
    )
    assert again.returncode != 0
    assert "taken" in again.stderr


def test_a_weak_admin_password_is_refused(tmp_path):
    assert run_djemaa("migrate", "-v", "0", tmp_path=tmp_path).returncode == 0
    result = run_djemaa("createadmin", "karim", tmp_path=tmp_path, DJEMAA_ADMIN_PASSWORD="123")
    assert result.returncode != 0
    assert "too short" in result.stderr


def test_repair_counters_is_spelled_with_a_dash(tmp_path):
    assert run_djemaa("migrate", "-v", "0", tmp_path=tmp_path).returncode == 0
    result = run_djemaa("repair-counters", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Counters rebuilt."
