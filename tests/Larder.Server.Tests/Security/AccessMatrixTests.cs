using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Routing;

namespace Larder.Server.Tests.Security;

/// <summary>
/// Every endpoint × every kind of caller × a public, a private and a missing cache: the exact status, and a private
/// cache indistinguishable from a missing one (same status and body) for everyone without a grant on it.
/// </summary>
public sealed class AccessMatrixTests(AccessMatrixServer server) : IClassFixture<AccessMatrixServer>
{
    public static TheoryData<string, string> Endpoints()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in AccessMatrix.Rows)
        {
            data.Add(row.Method, row.Route);
        }
        return data;
    }

    [Fact]
    public void Every_endpoint_has_a_row_in_the_access_matrix()
    {
        var served = ((IEndpointRouteBuilder)server.App.App).DataSources
            .SelectMany(d => d.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet(StringComparer.Ordinal);
        var listed = AccessMatrix.Rows.Select(r => $"{r.Method} {r.Route}").ToHashSet(StringComparer.Ordinal);

        Assert.True(served.SetEquals(listed),
            $"endpoints without a row in AccessMatrix.Rows: {string.Join(", ", served.Except(listed).Order())}; "
            + $"rows without an endpoint: {string.Join(", ", listed.Except(served).Order())}");
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_caller_gets_the_exact_status_and_a_private_cache_answers_as_a_missing_one(string method, string route)
    {
        var row = AccessMatrix.Rows.Single(r => r.Method == method && r.Route == route);
        var kinds = row.NamesCache ? Enum.GetValues<CacheKind>() : [CacheKind.Public];
        var wrong = new List<string>();
        foreach (var caller in Enum.GetValues<Caller>())
        {
            using var client = server.ClientFor(caller);
            var answers = new Dictionary<CacheKind, (int Status, string Body)>();
            foreach (var kind in kinds)
            {
                answers[kind] = await SendAsync(client, row, kind);
                var expected = row.Expected(caller, kind);
                if (answers[kind].Status != expected)
                {
                    wrong.Add($"{caller} on a {kind} cache: {answers[kind].Status}, expected {expected} ({answers[kind].Body.Trim()})");
                }
            }
            if (row.NamesCache && caller != Caller.Reader && answers[CacheKind.Private] != answers[CacheKind.Missing])
            {
                wrong.Add($"{caller} can tell the private cache from a missing one: {answers[CacheKind.Private]} vs {answers[CacheKind.Missing]}");
            }
        }

        Assert.True(wrong.Count == 0, $"{method} {row.Url}:\n{string.Join("\n", wrong)}");
    }

    /// <summary>Sends the row's request naming a cache of <paramref name="kind"/>; the body with every cache name replaced by <c>C</c>.</summary>
    private async Task<(int Status, string Body)> SendAsync(HttpClient client, EndpointRow row, CacheKind kind)
    {
        var name = server.CacheNames[kind];
        var url = row.Url.Replace("{c}", name, StringComparison.Ordinal).Replace("{h}", server.HashPart, StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), url);
        if (row.Method is "PUT" or "POST" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        foreach (var cache in server.CacheNames.Values)
        {
            body = body.Replace(cache, "C", StringComparison.Ordinal);
        }
        return ((int)response.StatusCode, body);
    }
}
