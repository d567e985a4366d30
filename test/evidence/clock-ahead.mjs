// Preload (node --import) that moves this process's wall clock ahead by CLOCK_AHEAD_MS:
// a runner whose clock is wrong, as far as everything reading Date can tell.
const offsetMs = Number(process.env.CLOCK_AHEAD_MS ?? 0);
const RealDate = Date;
class SkewedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offsetMs;
  }
}
globalThis.Date = SkewedDate;
