// Tell GOV.UK Frontend's styles that JavaScript runs and the browser supports its components.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
