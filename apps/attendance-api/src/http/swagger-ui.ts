// Swagger UI at /apidocs, served offline from the swagger-ui-dist package's files.
import express, { Router } from 'express'
import swaggerUiDist from 'swagger-ui-dist'

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Attendance API</title><link rel="stylesheet" href="/apidocs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/apidocs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/apispec.json', dom_id: '#swagger-ui' })</script>
</body>
</html>
`

export function swaggerUi(): Router {
  const router = Router()
  router.get(['/apidocs', '/apidocs/', '/apidocs/index.html'], (_req, res) => {
    res.type('html').send(PAGE)
  })
  router.use('/apidocs', express.static(swaggerUiDist.getAbsoluteFSPath(), { index: false }))
  return router
}
