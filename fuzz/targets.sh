# Sourced by .ci/fuzz-smoke and fuzz/long-run: the dictionary each target uses.
# Usage: fuzz_dict_args TARGET  -> prints "-dict=fuzz/dict/X.dict" or nothing.
fuzz_dict_args() {
  local dict=""
  case "$1" in
    bson_read | bson_differential | cookie_decode_bsz) dict=bson ;;
    json_read | cookie_decode_signed | cookie_decode_json) dict=json ;;
    jwt_verify) dict=jws ;;
    pickle_read | legacy_decode_pickle | cookie_decode_legacy) dict=pickle ;;
  esac
  if [ -n "$dict" ]; then
    printf -- '-dict=%s/dict/%s.dict\n' "$FUZZ_DIR" "$dict"
  fi
}
