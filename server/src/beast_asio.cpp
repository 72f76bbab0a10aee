// Asio and Beast compiled once for the whole project (BOOST_*_SEPARATE_COMPILATION): every other
// file that includes them only sees declarations, which keeps builds fast on two cores. Asio's TLS
// (OpenSSL) too, for the server's --tls-cert and the client's https:// and wss://.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
