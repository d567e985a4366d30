# Reference expansion for the window tests: dateutil's rrule on the local wall clock, placed
# on the time line with zoneinfo (fold=0: first of a repeated time, pre-gap offset in a gap).
import json, sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
from dateutil.rrule import rrulestr

rule, tz, start, end = sys.argv[1:5]
zone = ZoneInfo(tz)
first = datetime.fromisoformat(start)
last = datetime.fromisoformat(end)
out = []
for local in rrulestr(rule.replace(' ', '\n')).between(first, last, inc=True):
    out.append(local.replace(tzinfo=zone, fold=0).astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.000Z'))
print(json.dumps(out))
