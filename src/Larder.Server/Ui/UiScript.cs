using System.Text;
using Microsoft.AspNetCore.Http;

namespace Larder.Server.Ui;

/// <summary>
/// The dashboard's only script, served from Larder itself (the Content-Security-Policy allows no other): a "Copy"
/// button after every element marked <c>data-copy</c>. Pages read and work without it.
/// </summary>
internal static class UiScript
{
    /// <summary>Its path under <c>/ui</c>.</summary>
    public const string Path = "/assets/ui.js";

    private const string Source = """
        "use strict";
        document.querySelectorAll("[data-copy]").forEach(function (target) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = "Copy";
          button.setAttribute("aria-label", "Copy " + target.getAttribute("data-copy"));
          button.addEventListener("click", function () {
            var text = "value" in target ? target.value : target.textContent;
            var done = function () { button.textContent = "Copied"; };
            if (navigator.clipboard && window.isSecureContext) {
              navigator.clipboard.writeText(text).then(done);
            } else {
              var range = document.createRange();
              range.selectNodeContents(target);
              window.getSelection().removeAllRanges();
              window.getSelection().addRange(range);
              if (document.execCommand("copy")) { done(); }
            }
          });
          target.insertAdjacentElement("afterend", button);
        });
        """;

    private static readonly byte[] Bytes = Encoding.UTF8.GetBytes(Source);

    public static IResult Serve(HttpContext http)
    {
        http.Response.Headers.CacheControl = "public, max-age=300";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return TypedResults.Bytes(Bytes, "text/javascript; charset=utf-8");
    }
}
