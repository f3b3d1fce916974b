// The OpenAPI 3 document served at /apispec.json. test/openapi.test.ts checks every real
// response against it, so it can't drift from the code.
import { BASE } from './attendance-routes.js'

const json = (schema: object) => ({ 'application/json': { schema } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const answer = (description: string, schema: object) => ({ description, content: json(schema) })

export function openApiDocument(version: string): object {
  return {
    openapi: '3.0.3',
    info: { title: 'Attendance API', version, description: 'Employee attendance records, served by gu.' },
    paths: {
      [`${BASE}/create`]: {
        post: {
          summary: 'Create an attendance record',
          requestBody: { required: true, content: json(ref('Record')) },
          responses: {
            200: answer('Created', ref('Message')),
            400: answer('Malformed JSON or a payload that fails validation', { oneOf: [ref('ValidationError'), ref('Error')] }),
            409: answer('A record with this id exists', ref('Error')),
            413: answer('The body is over 16 KiB', ref('Error')),
            415: answer('The body is not application/json', ref('Error')),
          },
        },
      },
      [`${BASE}/search`]: {
        get: {
          summary: 'Find the record of one employee id',
          parameters: [{ name: 'id', in: 'query', required: true, schema: { type: 'string' } }],
          responses: {
            200: answer('The record', ref('Record')),
            400: answer('No id given', ref('Message')),
            404: answer('No record has this id', ref('Error')),
          },
        },
      },
      [`${BASE}/search/all`]: {
        get: { summary: 'Every record, ordered by id', responses: { 200: answer('The records', { type: 'array', items: ref('Record') }) } },
      },
      [`${BASE}/health`]: {
        get: {
          summary: 'Whether the API can serve (its database answers)',
          responses: { 200: answer('Healthy', ref('Message')), 503: answer('The database is unreachable', ref('Message')) },
        },
      },
      [`${BASE}/health/detail`]: {
        get: {
          summary: 'Health of the API, its database and its cache',
          responses: { 200: answer('Healthy (the cache may be down)', ref('HealthDetail')), 503: answer('The database is unreachable', ref('HealthDetail')) },
        },
      },
      '/metrics': {
        get: { summary: 'Prometheus metrics, summed over every worker', responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } },
      },
    },
    components: {
      schemas: {
        Record: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'name', 'status', 'date'],
          properties: {
            id: { type: 'string', minLength: 1 },
            name: { type: 'string', minLength: 1 },
            status: { type: 'string', minLength: 1 },
            date: { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
          },
        },
        Message: { type: 'object', additionalProperties: false, required: ['message'], properties: { message: { type: 'string' } } },
        Error: { type: 'object', additionalProperties: false, required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } },
        ValidationError: {
          type: 'object',
          additionalProperties: false,
          required: ['error', 'details'],
          properties: {
            error: { type: 'string', enum: ['Validation Error'] },
            details: {
              type: 'array',
              minItems: 1,
              items: { type: 'object', additionalProperties: false, required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
        HealthDetail: {
          type: 'object',
          additionalProperties: false,
          required: ['message', 'postgresql', 'redis', 'status'],
          properties: {
            message: { type: 'string' },
            postgresql: { type: 'string', enum: ['up', 'down'], description: 'The database (PostgreSQL or the embedded SQLite)' },
            redis: { type: 'string', enum: ['up', 'down', 'disabled'] },
            status: { type: 'string', enum: ['healthy', 'unhealthy'] },
          },
        },
      },
    },
  }
}
