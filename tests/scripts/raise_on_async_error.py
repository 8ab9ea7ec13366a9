"""Child for test_on_async_error_raise_ends_the_program (SPEC §8).

With ``on_async_error="raise"``, a command's exception that no client observed ends the
program as an unhandled exception in the main thread would: non-zero exit, traceback on stderr.
"""

import scoop
from models import Account

scoop.configure(on_async_error="raise")
account = Account("doomed", 0)
account.fail("fatal unobserved boom")
print("main thread reached its end")
