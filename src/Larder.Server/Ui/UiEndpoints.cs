using Larder.Server.Access;
using Larder.Server.Ui.Timing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Ui;

/// <summary>
/// The dashboard under <c>/ui/</c>: the caches the visitor may read (public ones anonymously, plus those the
/// signed-in token has read grants on), a page per cache and per path, path search, token management, cache creation,
/// settings and garbage collection for admins, sign-in and sign-out. A cache the visitor may not read is answered exactly like one that does not exist, and no page names it.
/// </summary>
public static class UiEndpoints
{
    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Anyone may load the pages; each one decides from the session cookie what the visitor may see.
        var ui = app.MapGroup("/ui").ExcludeFromDescription().WithServerTiming().AllowAnyone();
        CachePages.Map(ui);
        PathPages.Map(ui);
        PathListPages.Map(ui);
        TokenPages.Map(ui);
        SignInPages.Map(ui);
        Admin.CacheAdminPages.Map(ui);
        Admin.GcPages.Map(ui);
        ui.MapGet(UiScript.Path, static (HttpContext http) => UiScript.Serve(http));
        return app;
    }
}
