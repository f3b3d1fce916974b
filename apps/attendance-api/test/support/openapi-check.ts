// Checks real responses against the app's own /apispec.json: the status must be documented for
// that path and method, and the body must match the documented schema.
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { Reply } from './http.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

interface Spec {
  openapi: string
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>
  components: object
}

export class OpenApiCheck {
  readonly #spec: Spec
  readonly #ajv: Ajv
  readonly #compiled = new Map<string, ValidateFunction>()

  constructor(spec: Spec) {
    this.#spec = spec
    this.#ajv = addFormats(new Ajv({ strict: false, allErrors: true }))
    this.#ajv.addSchema({ $id: 'spec', components: spec.components })
  }

  /** Throws, naming what differs, unless `reply` is a documented answer of `method path`. */
  check(method: string, path: string, reply: Reply): void {
    const operation = this.#spec.paths[path]?.[method.toLowerCase()]
    if (!operation) throw new Error(`${method} ${path} is not in the OpenAPI document`)
    const documented = operation.responses[String(reply.status)]
    if (!documented) throw new Error(`${method} ${path} answered ${reply.status}, which the OpenAPI document does not list`)
    const type = String(reply.headers['content-type'] ?? '').split(';')[0]!.trim()
    const media = documented.content?.[type]
    if (!media) throw new Error(`${method} ${path} ${reply.status} answered ${type}, not ${Object.keys(documented.content ?? {}).join(', ')}`)
    if (type !== 'application/json') return
    const key = `${method} ${path} ${reply.status}`
    let validate = this.#compiled.get(key)
    if (!validate) {
      const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"spec#/components/')) as object
      validate = this.#ajv.compile(schema)
      this.#compiled.set(key, validate)
    }
    if (!validate(reply.json)) throw new Error(`${key}: ${reply.text} does not match the document: ${this.#ajv.errorsText(validate.errors)}`)
  }
}
