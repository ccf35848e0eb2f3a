// reply.js — writing responses: JSON bodies, CORS headers, and PubNub's error shapes.
//
// Contract:
//   send(res, status, value)         JSON body, Content-Type application/json, CORS open.
//   HttpError(status, body)          thrown by any handler or parser; server.js sends its
//                                    body, so a refusal is one `throw` wherever it is found.
//   serviceError(status, service, message, extra) -> body
//       {"message", "error": true, "service", "status", ...extra}: the shape PubNub's REST
//       services use, and the one the SDK reads into status.errorData (it requires
//       error, status, message and service all present).
//   badRequest(message) -> HttpError 400 naming what was wrong.
// Every response carries Content-Type: the SDK's error parser reads that header without
// checking that it exists.

'use strict';

const CORS_HEADERS = Object.freeze({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE, OPTIONS',
  'Access-Control-Expose-Headers': 'Content-Type, Content-Length, Date',
});

class HttpError extends Error {
  constructor(status, body) {
    // For logs: the object's message, or the text of a publish refusal [0, "text", tt].
    super(Array.isArray(body) ? String(body[1]) : typeof body === 'object' && body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function serviceError(status, service, message, extra = {}) {
  return { message, error: true, service, status, ...extra };
}

function badRequest(message, service = 'Fixture') {
  return new HttpError(400, serviceError(400, service, message));
}

function send(res, status, value, extraHeaders = {}) {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, {
    ...CORS_HEADERS,
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
    ...extraHeaders,
  });
  res.end(body);
}

// A raw JSON text body (used where a 17-digit number must go out unrounded).
function sendRaw(res, status, jsonText) {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(jsonText, 'utf8');
  res.writeHead(status, {
    ...CORS_HEADERS,
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
  });
  res.end(body);
}

// CORS preflight: allow whatever request headers the page asks for, if they look like
// header names (the SDK's browser bundle sends Content-Type and Accept).
function preflight(req, res) {
  const asked = String(req.headers['access-control-request-headers'] || '');
  const allowed = /^[A-Za-z0-9\-, ]{0,512}$/.test(asked) ? asked : 'Content-Type, Accept';
  res.writeHead(204, { ...CORS_HEADERS, 'Access-Control-Allow-Headers': allowed || 'Content-Type, Accept', 'Access-Control-Max-Age': '600', 'Content-Length': 0 });
  res.end();
}

module.exports = { HttpError, serviceError, badRequest, send, sendRaw, preflight, CORS_HEADERS };
