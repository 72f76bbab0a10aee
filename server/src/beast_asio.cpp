// Asio and Beast compiled once for the whole project (BOOST_*_SEPARATE_COMPILATION): every other
// file that includes them only sees declarations, which keeps builds fast on two cores.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
