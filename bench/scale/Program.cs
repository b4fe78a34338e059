using Larder.Bench.Scale;

// Usage:
//   metadata sqlite FILE PATHS            load PATHS paths into a fresh SQLite store, time lookups and a 30k missing-paths query
//   metadata postgres CONNSTR PATHS       the same on a fresh PostgreSQL database
//   push BASEURL TOKEN CACHE COUNT BYTES CONCURRENCY PATHS_OUT   push COUNT synthetic NARs of BYTES each over HTTP
return args switch
{
    ["metadata", var kind, var target, var paths] => await MetadataBench.RunAsync(kind, target, int.Parse(paths)),
    ["push", var url, var token, var cache, var count, var bytes, var concurrency, var pathsOut] =>
        await PushBench.RunAsync(url, token, cache, int.Parse(count), int.Parse(bytes), int.Parse(concurrency), pathsOut),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: metadata sqlite|postgres FILE|CONNSTR PATHS | push BASEURL TOKEN CACHE COUNT BYTES CONCURRENCY PATHS_OUT");
    return 2;
}
