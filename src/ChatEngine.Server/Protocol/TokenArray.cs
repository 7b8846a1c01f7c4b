using System.Text.Json;

namespace ChatEngine.Server.Protocol;

/// <summary>Reads a JSON array of token ids, each checked against the vocabulary (400 naming the field otherwise).</summary>
internal static class TokenArray
{
    public static int[] Read(JsonElement array, string param, int vocabSize)
    {
        if (array.ValueKind != JsonValueKind.Array) throw RequestBody.WrongType(param, "an array of token ids");
        var ids = new int[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var id = RequestBody.ReadInteger(item, param);
            if (id < 0 || id >= vocabSize)
                throw ApiException.InvalidRequest($"token id {id} is outside the vocabulary [0, {vocabSize})", param, "invalid_value");
            ids[i++] = (int)id;
        }
        return ids;
    }
}
