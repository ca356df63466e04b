// The API documentation page (/docs): Swagger UI on the service's own OpenAPI document.
// A file rather than an inline script: the page's Content-Security-Policy allows no inline script.
/* global SwaggerUIBundle */
SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
