// The browsable API page (/api/v1/docs): lists the routes of the OpenAPI document and sends
// requests with the token typed in.
"use strict";
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
};
const tokenInput = document.getElementById("token");
tokenInput.value = sessionStorage.getItem("steward-token") || "";
tokenInput.addEventListener("input", () => sessionStorage.setItem("steward-token", tokenInput.value));

function schemaName(s) {
  if (!s) return "";
  if (s.$ref) return s.$ref.split("/").pop();
  if (s.type === "array") return schemaName(s.items) + "[]";
  return s.type || "";
}

function exampleFor(spec, schema, depth = 0) {
  if (!schema || depth > 4) return null;
  if (schema.$ref) return exampleFor(spec, spec.components.schemas[schema.$ref.split("/").pop()], depth + 1);
  if (schema.examples && schema.examples.length) return schema.examples[0];
  if (schema.enum) return schema.enum[0];
  if (schema.oneOf) return exampleFor(spec, schema.oneOf.find(o => o.type !== "null") || schema.oneOf[0], depth + 1);
  if (schema.type === "object" || schema.properties) {
    const out = {};
    for (const name of schema.required || []) out[name] = exampleFor(spec, schema.properties[name], depth + 1);
    return out;
  }
  const t = Array.isArray(schema.type) ? schema.type.find(x => x !== "null") : schema.type;
  return { string: "", integer: 0, boolean: false, array: [] }[t] ?? null;
}

function operation(spec, path, method, op) {
  const params = op.parameters || [];
  const inputs = {};
  const table = el("table");
  for (const p of params) {
    const input = el("input", { class: "p", placeholder: p.in === "path" ? "required" : "" });
    inputs[p.name] = [p, input];
    table.append(el("tr", {}, el("td", {}, el("code", {}, p.name)), el("td", {}, p.in), el("td", {}, input), el("td", { class: "muted" }, p.description || schemaName(p.schema))));
  }
  let bodyBox = null;
  const body = el("div", { class: "body" });
  if (op.description) body.append(el("p", {}, op.description));
  if (params.length) body.append(table);
  const reqSchema = op.requestBody && op.requestBody.content["application/json"].schema;
  if (reqSchema) {
    body.append(el("p", { class: "muted" }, "Body: " + schemaName(reqSchema)));
    bodyBox = el("textarea");
    bodyBox.value = JSON.stringify(exampleFor(spec, reqSchema), null, 2);
    body.append(bodyBox);
  }
  const responses = Object.entries(op.responses || {}).map(([code, r]) => code + (r.content ? " " + schemaName(r.content["application/json"].schema) : "")).join(", ");
  body.append(el("p", { class: "muted" }, "Responses: " + responses));
  const out = el("pre");
  const send = el("button", {}, "Send");
  send.addEventListener("click", async () => {
    let url = path;
    const query = new URLSearchParams();
    for (const [name, [p, input]] of Object.entries(inputs)) {
      if (p.in === "path") url = url.replace("{" + name + "}", encodeURIComponent(input.value));
      else if (input.value !== "") query.append(name, input.value);
    }
    if ([...query].length) url += "?" + query;
    const headers = {};
    if (tokenInput.value) headers["Authorization"] = "Bearer " + tokenInput.value.trim();
    const init = { method: method.toUpperCase(), headers };
    if (bodyBox) { headers["Content-Type"] = "application/json"; init.body = bodyBox.value; }
    out.textContent = "…";
    try {
      const r = await fetch(url, init);
      const text = await r.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) {}
      out.textContent = r.status + " " + r.statusText + "\n\n" + shown;
    } catch (e) {
      out.textContent = String(e);
    }
  });
  body.append(send, out);
  const summary = el("summary", {}, el("span", { class: "m " + method }, method.toUpperCase()), path, " ", el("span", { class: "muted" }, op.summary || ""));
  return el("details", {}, summary, body);
}

fetch("/api/v1/openapi.json").then(r => r.json()).then(spec => {
  document.getElementById("intro").textContent = spec.info.description || "";
  const byTag = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || "other";
      (byTag[tag] = byTag[tag] || []).push([path, method, op]);
    }
  }
  const ops = document.getElementById("ops");
  for (const tag of Object.keys(byTag).sort()) {
    ops.append(el("h2", {}, tag.replace(/-/g, " ")));
    for (const [path, method, op] of byTag[tag]) ops.append(operation(spec, path, method, op));
  }
});
