// Gunicorn settings gu deliberately does not have, and why: listed in docs/settings.md so that
// someone porting a Gunicorn config learns it from the reference rather than from an error.

export interface NotProvided {
  /** Gunicorn's names, as its docs spell them. */
  readonly gunicorn: readonly string[]
  readonly why: string
}

/** Parser leniencies: each reopens a request-smuggling gap between a proxy and gu, and none can be had alone. */
const PARSER_LENIENCY =
  "gu's engines parse requests with parsers of their own (llhttp for the node:http classes, uWS's for `uws`), which refuse these before gu sees the request, and offer no switch for any one of them: node's only one, `insecureHTTPParser`, lifts every leniency together (bare LF, invalid characters in fields, both `Content-Length` and `Transfer-Encoding`, …), reopening the request-smuggling gaps these rules close. Rewriting the bytes in front of the parser would need gu to frame every request itself (a second HTTP parser ahead of the first, which must agree with it on every body length), so a request that needs one of these is refused (`400`; `505` for an HTTP version other than 1.0 and 1.1), as under Gunicorn's defaults (Gunicorn calls these options temporary, for diagnosis)."

export const NOT_PROVIDED: readonly NotProvided[] = [
  { gunicorn: ['permit_obsolete_folding', 'strip_header_spaces', 'permit_unconventional_http_method', 'permit_unconventional_http_version', 'casefold_http_method'], why: PARSER_LENIENCY },
]
