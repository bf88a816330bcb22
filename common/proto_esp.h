/* ESP wire format (RFC 4303, with RFC 4106 GCM, RFC 3602 CBC and RFC 4868
 * HMAC-SHA-256-128) and its UDP encapsulation (RFC 3948). Wire constants
 * only, no logic. */
#ifndef DMVPND_PROTO_ESP_H
#define DMVPND_PROTO_ESP_H

#define ESP_HDR_LEN 8       /* SPI, sequence number */
#define ESP_ICV_LEN 16      /* both algorithms: GCM-16 and HMAC-SHA-256-128 */
#define ESP_GCM_IV_LEN 8    /* RFC 4106 3.1 */
#define ESP_CBC_IV_LEN 16   /* RFC 3602 2.1 */
#define ESP_SALT_LEN 4      /* RFC 4106 8.1 */
#define ESP_KEYMAT_MAX 36   /* AES-256 key + salt */
#define ESP_AUTH_KEY_LEN 32 /* RFC 4868 2.1.1 */
#define ESP_NATT_PORT 4500  /* RFC 3948 */
#define ESP_IKE_PORT 500    /* RFC 7296 2.23: IKE only, never ESP */
#define ESP_UDP_HDR_LEN 8
#define ESP_NEXT_HEADER_GRE 47
#define ESP_NEXT_HEADER_IPV4 4 /* tunnel mode: an IPv4 packet (RFC 4303 2.6) */

#endif
