"""python -m bench [foundation|finance|reminders|docrequests|agenda|requests|files|history|all]"""
import sys

from . import foundation

which = sys.argv[1] if len(sys.argv) > 1 else 'all'
if which in ('foundation', 'all'):
    print(foundation.run())
if which in ('finance', 'all'):
    try:
        from . import finance
    except ImportError:
        print('finance benchmark not available')
    else:
        print(finance.run())
if which in ('reminders', 'all'):
    from . import reminders
    print(reminders.run())
if which in ('docrequests', 'all'):
    from . import docrequests
    print(docrequests.run())
if which in ('agenda', 'all'):
    from . import agenda
    print(agenda.run())
if which in ('requests', 'all'):
    from . import requests
    print(requests.run())
if which in ('files', 'all'):
    from . import files
    print(files.run())
if which in ('history', 'all'):
    from . import history
    print(history.run())
