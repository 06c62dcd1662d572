// Vectors of aad-jwt.md §4, shared by the jwt and connector tests.
#pragma once

namespace jwtvec {

inline constexpr char kRfcA2[] =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_"
    "O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKB"
    "YNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO-"
    "-xi12jzDwusC-eOkHWEsqtFZESc6Bf"
    "I7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_"
    "IoypGlUPQGe77Rw";

inline constexpr char kRfcHs256[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19"
    "yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

inline constexpr char kV1[] =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6InJmYzc1MTUtYTIiLCJraWQiOiJyZmM3NTE1LWEyIn0."
    "eyJhdWQiOiJodHRwczovL2NvbnRvc28tdH"
    "dpdHRlcmNvbm5lY3Rvci5henVyZXdlYnNpdGVzLm5ldCIsImlzcyI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzExMTEx"
    "MTExLTIyMjItMzMzMy00NDQ0LTU1"
    "NTU1NTU1NTU1NS8iLCJpYXQiOjE3MDAwMDAwMDAsIm5iZiI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwLCJhcHBpZC"
    "I6IjU3MGQwYmVjLWQwMDEtNGM0ZS"
    "05ODVlLTNhYjE3ZmRjMzA3MyIsImFwcGlkYWNyIjoiMiIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzExMTEx"
    "MTExLTIyMjItMzMzMy00NDQ0LTU1"
    "NTU1NTU1NTU1NS8iLCJvaWQiOiJhYWFhYWFhYS0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEiLCJzdWIiOiJhYWFhYW"
    "FhYS0wMDAwLTAwMDAtMDAwMC0wMD"
    "AwMDAwMDAwMDEiLCJ0aWQiOiIxMTExMTExMS0yMjIyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTUiLCJ2ZXIiOiIxLjAifQ."
    "TaeErvBFU20p_yDdOo53KqEMrFBmbrh"
    "iU2r_XoybNB5i_tGGesqv_b34J3s4VJtq5lBqEGbsJdtjCKiu_EcSn3ncnT5iBz1hxyy0QrXQe-3_"
    "yye7bR8FGE3QajyHA1v0JR7q4CMXus8eDONHFQ6kgMK-2M"
    "ks6eQNI80CtZlwlEiOsmW1IFYRBFk-EZUSrjWWm3pKNp0cEhGi8xIr-"
    "mYAaRfAM2EAfTHjgaf0q98ZoKYyjh15VWq42vI3eYCaGQUPvbz-lf2f9-AHmsQeJYN8K6"
    "vQYtrxoSP5V-uDg9o0Oa3yvD-NI_r0wIgwlng2N8tnd0nLlbJ4pcpBeBMXeHldfQ";

inline constexpr char kV2[] =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6InJmYzc1MTUtYTIifQ."
    "eyJhdWQiOiIyMjIyMjIyMi0zMzMzLTQ0NDQtNTU1NS02NjY2NjY2NjY2NjYi"
    "LCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vMTExMTExMTEtMjIyMi0zMzMzLTQ0NDQtNTU1NT"
    "U1NTU1NTU1L3YyLjAiLCJpYXQiOj"
    "E3MDAwMDAwMDAsIm5iZiI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwLCJhenAiOiI1NzBkMGJlYy1kMDAxLTRjNGUt"
    "OTg1ZS0zYWIxN2ZkYzMwNzMiLCJh"
    "enBhY3IiOiIyIiwib2lkIjoiYWFhYWFhYWEtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAxIiwic3ViIjoiYWFhYWFhYW"
    "EtMDAwMC0wMDAwLTAwMDAtMDAwMD"
    "AwMDAwMDAxIiwidGlkIjoiMTExMTExMTEtMjIyMi0zMzMzLTQ0NDQtNTU1NTU1NTU1NTU1IiwidmVyIjoiMi4wIn0."
    "Tn2M_DzbzzNgUO0MmNp41t7efcmYlc4OC"
    "iNByg_c7_pf87Kaffj-cg8RG0CPsIuYuCD2tvx4GZ27GX0-VZf4HdArqz5ltZlDie-"
    "hfgAfXxJxz0AF83coBNpUqmtab67OxmWjJBBOGbTFqkWACRfFGblKaX6B"
    "xSEVY98NTPaZuTxkK7fDjVG_JE89R3sKm7vU_-qeAYgt-"
    "rZ2hYVSeAovy94LRbdpUlLLNJpUDAWj5D9dCXMmm5hnz8HKidGMspcIwInuBtxUAfa14vM9fWlnGnsD"
    "ekHOsBwkgujIfMtFkWphCEs69i_R8FrOFU9sPPCwV19YUcArhjHemMKCk0jZsg";

inline constexpr char kV1EvilAud[] =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6InJmYzc1MTUtYTIiLCJraWQiOiJyZmM3NTE1LWEyIn0."
    "eyJhdWQiOiJodHRwczovL2V2aWwuZXhhbX"
    "BsZSIsImlzcyI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzExMTExMTExLTIyMjItMzMzMy00NDQ0LTU1NTU1NTU1NTU1"
    "NS8iLCJpYXQiOjE3MDAwMDAwMDAs"
    "Im5iZiI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwLCJhcHBpZCI6IjU3MGQwYmVjLWQwMDEtNGM0ZS05ODVlLTNhYj"
    "E3ZmRjMzA3MyIsImFwcGlkYWNyIj"
    "oiMiIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzExMTExMTExLTIyMjItMzMzMy00NDQ0LTU1NTU1NTU1NTU1"
    "NS8iLCJvaWQiOiJhYWFhYWFhYS0w"
    "MDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEiLCJzdWIiOiJhYWFhYWFhYS0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMD"
    "EiLCJ0aWQiOiIxMTExMTExMS0yMj"
    "IyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTUiLCJ2ZXIiOiIxLjAifQ.TaeErvBFU20p_yDdOo53KqEMrFBmbrhiU2r_"
    "XoybNB5i_tGGesqv_b34J3s4VJtq5lBqEG"
    "bsJdtjCKiu_EcSn3ncnT5iBz1hxyy0QrXQe-3_yye7bR8FGE3QajyHA1v0JR7q4CMXus8eDONHFQ6kgMK-"
    "2Mks6eQNI80CtZlwlEiOsmW1IFYRBFk-EZUSrjWWm"
    "3pKNp0cEhGi8xIr-mYAaRfAM2EAfTHjgaf0q98ZoKYyjh15VWq42vI3eYCaGQUPvbz-lf2f9-"
    "AHmsQeJYN8K6vQYtrxoSP5V-uDg9o0Oa3yvD-NI_r0wIgwlng2"
    "N8tnd0nLlbJ4pcpBeBMXeHldfQ";

inline constexpr char kTenant[] = "11111111-2222-3333-4444-555555555555";
inline constexpr char kAudUri[] = "https://contoso-twitterconnector.azurewebsites.net";
inline constexpr char kAudId[] = "22222222-3333-4444-5555-666666666666";
inline constexpr long long kNowOk = 1700001000;

inline constexpr char kV1Header[] =
    R"({"typ":"JWT","alg":"RS256","x5t":"rfc7515-a2","kid":"rfc7515-a2"})";
inline constexpr char kV1Payload[] =
    R"({"aud":"https://contoso-twitterconnector.azurewebsites.net","iss":"https://sts.windows.net/11111111-2222-3333-4444-555555555555/","iat":1700000000,"nbf":1700000000,"exp":1700003600,"appid":"570d0bec-d001-4c4e-985e-3ab17fdc3073","appidacr":"2","idp":"https://sts.windows.net/11111111-2222-3333-4444-555555555555/","oid":"aaaaaaaa-0000-0000-0000-000000000001","sub":"aaaaaaaa-0000-0000-0000-000000000001","tid":"11111111-2222-3333-4444-555555555555","ver":"1.0"})";
inline constexpr char kV2Header[] = R"({"typ":"JWT","alg":"RS256","kid":"rfc7515-a2"})";
inline constexpr char kV2Payload[] =
    R"({"aud":"22222222-3333-4444-5555-666666666666","iss":"https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0","iat":1700000000,"nbf":1700000000,"exp":1700003600,"azp":"570d0bec-d001-4c4e-985e-3ab17fdc3073","azpacr":"2","oid":"aaaaaaaa-0000-0000-0000-000000000001","sub":"aaaaaaaa-0000-0000-0000-000000000001","tid":"11111111-2222-3333-4444-555555555555","ver":"2.0"})";

}  // namespace jwtvec
