/* One list of ESP drop reasons (encap and decap): enum, name and help text
 * come from here, VPP error.def style. Add a reason here and nowhere else. */
#ifndef DMVPND_ESP_REASONS_H
#define DMVPND_ESP_REASONS_H

#define ESP_DROP_REASONS(X)                                                                          \
	X(NONLINEAR, "esp_nonlinear", "packet spans several mbufs")                                  \
	X(RUNT, "esp_runt", "shorter than IPv4 + (UDP) + ESP header + IV + ICV + trailer")           \
	X(BAD_IP, "esp_bad_ip", "IPv4 header invalid, a fragment, or wrong protocol")                \
	X(BAD_ENCAP, "esp_bad_encap",                                                                \
	  "UDP encapsulation absent, present or malformed against the SA")                           \
	X(BAD_SPI, "esp_bad_spi", "SPI differs from the SA's")                                       \
	X(BAD_LENGTH, "esp_bad_length", "ciphertext not block-aligned, or result over 64 KiB")       \
	X(REPLAY, "esp_replay", "sequence number already received")                                  \
	X(TOO_OLD, "esp_too_old", "sequence number left of the replay window")                       \
	X(ICV_FAIL, "esp_icv_fail", "integrity check value wrong")                                   \
	X(BAD_PADDING, "esp_bad_padding", "pad length too long or pad bytes not 1, 2, 3...")         \
	X(BAD_NEXT_HEADER, "esp_bad_next_header", "next header neither GRE (47) nor IPv4 (4)")       \
	X(MODE_MISMATCH, "esp_mode_mismatch",                                                        \
	  "IPv4 (4) inside a transport-mode SA, or GRE (47) inside a tunnel-mode SA")                \
	X(TUN_BAD_IP, "esp_tunnel_bad_ip",                                                           \
	  "tunnel mode: the IPv4 header inside ESP invalid, a fragment, or longer than the payload") \
	X(TUN_NOT_GRE, "esp_tunnel_not_gre", "tunnel mode: the IPv4 packet inside ESP is not GRE")   \
	X(TUN_BAD_ADDR, "esp_tunnel_bad_addr",                                                       \
	  "tunnel mode: the addresses inside ESP are not the SA's")                                  \
	X(SEQ_EXHAUSTED, "esp_seq_exhausted", "sequence number space used up (no ESN)")              \
	X(HARD_LIMIT, "esp_hard_limit", "SA packet or byte hard lifetime reached")                   \
	X(NO_ROOM, "esp_no_room", "not enough headroom or tailroom")                                 \
	X(CRYPTO, "esp_crypto_error", "crypto library failed the operation")

/* 0 is "no drop"; reasons start at 1 so a reason array needs no flag. */
enum esp_drop {
	ESP_OK = 0,
#define ESP_DROP_ENUM(e, name, help) ESP_DROP_##e,
	ESP_DROP_REASONS(ESP_DROP_ENUM)
#undef ESP_DROP_ENUM
		ESP_DROP_COUNT
};

static inline const char *esp_drop_name(unsigned r)
{
	switch (r) {
#define ESP_DROP_NAME(e, name, help) \
	case ESP_DROP_##e:           \
		return name;
		ESP_DROP_REASONS(ESP_DROP_NAME)
#undef ESP_DROP_NAME
	default:
		return r == ESP_OK ? "ok" : "unknown";
	}
}

static inline const char *esp_drop_help(unsigned r)
{
	switch (r) {
#define ESP_DROP_HELP(e, name, help) \
	case ESP_DROP_##e:           \
		return help;
		ESP_DROP_REASONS(ESP_DROP_HELP)
#undef ESP_DROP_HELP
	default:
		return "";
	}
}

#endif
