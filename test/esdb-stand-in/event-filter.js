'use strict';
/**
 * Server-side $all filters as ESDB evaluates them: on the stream name or on the event type, by
 * prefixes or by a regular expression (a non-empty regex wins over prefixes).
 */
const DEFAULT_SEARCH_WINDOW = 32;

/** Accepts streams.ReadReq.Options.FilterOptions or persistent CreateReq.AllOptions.FilterOptions. */
function compileFilter(filterOptions) {
  if (!filterOptions) return { matches: () => true, checkpointEvery: Infinity, describe: { kind: 'none' } };
  const onStream = filterOptions.hasStreamIdentifier();
  const expression = onStream ? filterOptions.getStreamIdentifier() : filterOptions.getEventType();
  const regexSource = expression.getRegex();
  const prefixes = expression.getPrefixList();
  const test = regexSource
    ? (value) => new RegExp(regexSource).test(value)
    : (value) => prefixes.some((prefix) => value.startsWith(prefix));
  const window = filterOptions.hasMax() ? filterOptions.getMax() : DEFAULT_SEARCH_WINDOW;
  const multiplier = Math.max(1, filterOptions.getCheckpointintervalmultiplier());
  return {
    matches: (record) => test(onStream ? record.streamId : record.type),
    // ESDB sends a checkpoint after every window x multiplier events it looked at.
    checkpointEvery: window * multiplier,
    describe: { kind: onStream ? 'stream' : 'event-type', regex: regexSource, prefixes },
  };
}

module.exports = { compileFilter };
