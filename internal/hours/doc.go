// Package hours answers "is the desk open?" and "how much working time lies
// between two instants?" for an Italian sportello.
//
// The model has two layers. A [Calendar] is what an administrator edits and
// what the store keeps as JSON: a weekly schedule of shifts per weekday, the
// national holidays switch, recurring local holidays (the patron saint),
// one-off closures and one-off extra openings. Its times and dates are plain
// strings so that [Calendar.Validate] can name the exact field at fault
// rather than failing inside a JSON decoder. [Compile] turns a valid
// Calendar into a [Schedule]: an immutable value, safe for concurrent use,
// with the shifts parsed and the time zone loaded once.
//
// Each local day is resolved in this order, the first rule that applies
// wins:
//
//  1. an extra opening on that date: its shifts replace the weekly ones, even
//     on a holiday or inside a closure, because it is the most specific
//     thing an administrator can say about a day;
//  2. a national holiday (unless switched off), a local holiday or a closure:
//     closed all day;
//  3. otherwise the weekly shifts of that weekday.
//
// Shifts are half-open, [start, end): a desk open 09:30–13:00 is open at
// 12:59:59 and closed at 13:00. A shift may end at 24:00, and a shift ending
// at 24:00 followed by one starting at 00:00 the next day makes a single
// open period.
//
// # Daylight saving time
//
// Shifts are wall-clock times in the calendar's zone: the desk is open at an
// instant exactly when the clock on the desk's wall reads a time inside one
// of that day's shifts. Every duration this package returns is real elapsed
// time, never negative. On the day clocks go forward (last Sunday of March
// in Italy) the wall times 02:00–02:59 do not exist, so a 02:00–03:00 shift
// never opens and a 01:00–04:00 shift lasts two hours. On the day clocks go
// back (last Sunday of October) 02:00–02:59 happens twice, so a 02:00–03:00
// shift is open for two hours and a 01:00–04:00 shift for four. This is what
// staff reading the wall clock would do, and it needs no special cases: the
// time package says which wall time each instant has, and that is all Open
// asks. The other methods walk the stretches of constant UTC offset
// reported by [time.Time.ZoneBounds], so they agree with Open whatever the
// zone does, including zones whose day starts at 01:00.
//
// # Horizon
//
// Searches ahead or back stop after [Horizon], so a calendar that is never
// open (no shifts, or a closure of years) answers "not found" instead of
// looping forever.
//
// The package does no I/O beyond loading the time zone in Compile, keeps no
// mutable state and never reads the clock: callers pass the instants.
package hours
