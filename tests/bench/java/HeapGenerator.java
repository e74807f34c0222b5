// Builds a realistic, varied object graph whose heap dump is about a target size, and
// writes it with HotSpotDiagnosticMXBean.dumpHeap(live=true). Benchmark input, not a test
// fixture: see tests/bench/README.md. Run through tests/bench/generate.sh, which sizes the
// JVM heap from the target.
//
// Usage: java -Xmx<~1.6 x target> HeapGenerator <target-bytes> <out.hprof>
//
// The graph: a HashMap of customers (records of strings and boxed numbers, each with an
// address and an ArrayList of its orders), a ConcurrentHashMap of orders (linked to their
// customer, a shared product and the customer's previous order), list indexes over both,
// a LinkedList of events, a list of log lines (Latin-1 and UTF-16 strings), primitive
// arrays of every type and many sizes (a few above 512 KiB), Object[] indexes of random
// records, short linked chains and one chain of ~1 M nodes, a red-black tree (TreeMap) and
// an n-ary document tree, finalizable objects (non-empty finalize()) held by a Timer's
// queue of cancelled tasks and by a static map, soft and weak references (SoftReference
// cache, WeakReference listeners, WeakHashMap), and worker threads holding data in locals.
//
// Sizing: every structure is accounted as it is built with the HPROF record sizes for a
// 64-bit JVM (8-byte IDs), so the generator knows the dump bytes, objects and non-null
// references it adds; each part fills its share of the target. After the dump it prints
// the file size against the target (exit status 3 outside +-15 %) and the JVM's own object
// count (GC.class_histogram -all, taken right after the dump's full GC).

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.ref.SoftReference;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Timer;
import java.util.TimerTask;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import javax.management.ObjectName;

public class HeapGenerator {
    // ------------------------------------------------------------------ accounting
    // HPROF heap-dump sub-record sizes with 8-byte IDs:
    //   INSTANCE_DUMP   tag 1 + id 8 + stack serial 4 + class id 8 + length 4 + fields
    //   OBJ_ARRAY_DUMP  tag 1 + id 8 + stack serial 4 + length 4 + class id 8 + 8 per element
    //   PRIM_ARRAY_DUMP tag 1 + id 8 + stack serial 4 + length 4 + type 1 + data
    // Field bytes count every instance field of the class and its superclasses, references
    // as 8 bytes whatever the JVM's compressed-oops setting.
    static long bytes;
    static long objects;
    static long refs;

    static void inst(int fieldBytes, int nonNullRefs) {
        bytes += 25 + fieldBytes;
        objects++;
        refs += nonNullRefs;
    }

    static void objArr(long length, long nonNull) {
        bytes += 25 + 8 * length;
        objects++;
        refs += nonNull;
    }

    static void primArr(long length, int elementSize) {
        bytes += 18 + length * elementSize;
        objects++;
    }

    // java.lang.String (JDK 9+): value [B, hash I, coder B, hashIsZero Z = 14 field bytes,
    // plus its byte[]: one byte per char when every char is Latin-1, else two.
    static String str(String s) {
        inst(14, 1);
        boolean latin1 = true;
        for (int i = 0; i < s.length() && latin1; i++) {
            latin1 = s.charAt(i) < 0x100;
        }
        if (!s.isEmpty()) {
            primArr(latin1 ? s.length() : 2L * s.length(), 1);
        }
        return s;
    }

    // Integer/Long.valueOf share the -128..127 cache objects (already in any heap).
    static Integer boxInt(int v) {
        if (v < -128 || v > 127) {
            inst(4, 0);
        }
        return Integer.valueOf(v);
    }

    static Long boxLong(long v) {
        if (v < -128 || v > 127) {
            inst(8, 0);
        }
        return Long.valueOf(v);
    }

    static Double boxDouble(double v) {
        inst(8, 0);
        return Double.valueOf(v);
    }

    // ArrayList (default constructor): elementData I-ref, size I, modCount I = 16 field
    // bytes; elementData is the shared empty array until the first add, which allocates
    // 10 slots; a full array grows by half (JDK 17's ArraysSupport.newLength).
    static final long[] LIST_CAPACITIES = listCapacities();

    static long[] listCapacities() {
        long[] caps = new long[64];
        int n = 0;
        for (long c = 10; c < Integer.MAX_VALUE && n < caps.length; c += c >> 1) {
            caps[n++] = c;
        }
        return Arrays.copyOf(caps, n);
    }

    static <T> ArrayList<T> newList() {
        inst(16, 1);
        return new ArrayList<>();
    }

    static <T> void add(ArrayList<T> list, T element) {
        int before = list.size();
        if (before == 0) {
            objArr(10, 0);
        } else {
            int i = Arrays.binarySearch(LIST_CAPACITIES, before);
            if (i >= 0) {
                bytes += 8 * (LIST_CAPACITIES[i + 1] - LIST_CAPACITIES[i]);
            }
        }
        if (element != null) {
            refs++;
        }
        list.add(element);
    }

    // Hash tables: table length (a power of two, from 16) after n insertions, and the table
    // bytes. Every entry is referenced once, from the table or a bucket's `next`, so the
    // table adds no references beyond one per entry (counted with the entry).
    static long tableLength(long n, boolean growAtThreshold) {
        long cap = 16;
        while (growAtThreshold ? n >= cap * 3 / 4 : n > cap * 3 / 4) {
            cap <<= 1;
        }
        return cap;
    }

    static void table(long n, boolean growAtThreshold) {
        objArr(tableLength(n, growAtThreshold), 0);
    }

    // ------------------------------------------------------------------ the data
    static final SplittableRandom R = new SplittableRandom(0x5CA1E);

    static final String[] FIRST = {
        "Anna", "Ben", "Chloé", "David", "Emma", "Felix", "Grace", "Hugo", "Ines", "Jonas",
        "Kateřina", "Łukasz", "Marta", "Noah", "Olga", "Pierre", "Quentin", "Rosa", "Søren",
        "Tomáš", "Uma", "Václav", "Wei", "Xavier", "Yuki", "Zoë", "美咲", "Дмитрий", "Αλέξης", "Ahmet"
    };
    static final String[] LAST = {
        "Schmidt", "Müller", "Dvořák", "Nowak", "García", "Rossi", "Dubois", "Jensen", "Smith",
        "Kowalski", "Novák", "Silva", "Yılmaz", "Tanaka", "Иванов", "Papadopoulos", "O'Brien",
        "Lefèvre", "Andersson", "Wang", "Kim", "Nguyen", "Costa", "Horvath", "Petrović"
    };
    static final String[] STREETS = {
        "Main St", "Hauptstraße", "Rue de la Paix", "Via Roma", "High Street", "Calle Mayor",
        "Kings Road", "Ulica Długa", "Náměstí Míru", "Elm Avenue", "Market Square", "Bahnhofstr."
    };
    static final String[] EVENT_KINDS = {
        "LOGIN", "LOGOUT", "VIEW", "SEARCH", "ADD_TO_CART", "CHECKOUT", "PAYMENT", "REFUND",
        "SHIP", "DELIVER", "CANCEL", "REVIEW", "SUPPORT_TICKET", "PASSWORD_RESET"
    };
    static final String[] LOG_WORDS = {
        "order", "shipped", "to", "customer", "payment", "accepted", "declined", "retrying",
        "connection", "pool", "exhausted", "timeout", "after", "ms", "cache", "miss", "hit",
        "Zahlung", "für", "Bestellung", "commande", "expédiée", "заказ", "отправлен", "注文",
        "発送済み", "ödeme", "başarılı", "objednávka", "odeslána"
    };
    static final String[] TAGS = {
        "html", "head", "body", "div", "span", "p", "a", "ul", "li", "table", "tr", "td",
        "section", "header", "footer", "nav", "img", "form", "input", "button"
    };

    enum Status { NEW, PAID, SHIPPED, DELIVERED, CANCELLED, RETURNED }

    static final Status[] STATUSES = Status.values();

    // Record-like objects.
    static final class Address {
        final String street;
        final String zip;
        final String city;
        final int number;

        Address(String street, String zip, String city, int number) {
            this.street = street;
            this.zip = zip;
            this.city = city;
            this.number = number;
        }
    }

    static final class Customer {
        final long id;
        final String name;
        final String email;
        final String city;
        final Integer loyaltyPoints;
        final Long createdAt;
        final Address address;
        ArrayList<Order> orders;
        Order lastOrder;

        Customer(long id, String name, String email, String city, Integer points, Long createdAt,
                Address address) {
            this.id = id;
            this.name = name;
            this.email = email;
            this.city = city;
            this.loyaltyPoints = points;
            this.createdAt = createdAt;
            this.address = address;
        }
    }

    static final class Product {
        final String sku;
        final String title;
        final Double price;
        int stock;

        Product(String sku, String title, Double price, int stock) {
            this.sku = sku;
            this.title = title;
            this.price = price;
            this.stock = stock;
        }
    }

    static final class Order {
        final long id;
        final long createdAt;
        final Customer customer;
        final Product product;
        final Integer quantity;
        final Double total;
        final String note;
        final Order previous;
        Status status;

        Order(long id, long createdAt, Customer customer, Product product, Integer quantity,
                Double total, String note, Order previous, Status status) {
            this.id = id;
            this.createdAt = createdAt;
            this.customer = customer;
            this.product = product;
            this.quantity = quantity;
            this.total = total;
            this.note = note;
            this.previous = previous;
            this.status = status;
        }
    }

    static final class Event {
        final long timestamp;
        final String kind;
        final Object payload;
        final int sequence;

        Event(long timestamp, String kind, Object payload, int sequence) {
            this.timestamp = timestamp;
            this.kind = kind;
            this.payload = payload;
            this.sequence = sequence;
        }
    }

    static final class ChainNode {
        ChainNode next;
        Object value;
        int sequence;
    }

    static final class Sample {
        final double value;
        final long timestamp;

        Sample(double value, long timestamp) {
            this.value = value;
            this.timestamp = timestamp;
        }
    }

    static final class DocNode {
        final String tag;
        final DocNode parent;
        ArrayList<DocNode> children;
        String text;

        DocNode(String tag, DocNode parent) {
            this.tag = tag;
            this.parent = parent;
        }
    }

    static final class Session {
        final String token;
        final long expiresAt;

        Session(String token, long expiresAt) {
            this.token = token;
            this.expiresAt = expiresAt;
        }
    }

    // The motivating case: an old JDBC driver's statement overrides finalize() (non-empty,
    // so the JVM registers a java.lang.ref.Finalizer for each) and its statement-timeout
    // task, cancelled when the query ends, stays in the shared Timer's queue until due.
    static final class PgStatement {
        final int id;
        final String sql;
        final byte[] buffer;

        PgStatement(int id, String sql, byte[] buffer) {
            this.id = id;
            this.sql = sql;
            this.buffer = buffer;
        }

        @Override
        @SuppressWarnings("deprecation")
        protected void finalize() {
            if (buffer.length < 0) {
                System.out.println("closing statement " + id);
            }
        }
    }

    static final class CancelTask extends TimerTask {
        final PgStatement statement;

        CancelTask(PgStatement statement) {
            this.statement = statement;
        }

        @Override
        public void run() {}
    }

    static final class KeepAliveTask extends TimerTask {
        @Override
        public void run() {}
    }

    // A pooled native connection with finalize(), cached forever in a static map.
    static final class PooledConnection {
        final int id;
        final String url;
        final byte[] socketBuffer;

        PooledConnection(int id, String url, byte[] socketBuffer) {
            this.id = id;
            this.url = url;
            this.socketBuffer = socketBuffer;
        }

        @Override
        @SuppressWarnings("deprecation")
        protected void finalize() {
            if (socketBuffer.length < 0) {
                System.out.println("closing connection " + id);
            }
        }
    }

    static final class ConnectionRegistry {
        static final Map<Integer, PooledConnection> CACHE = new ConcurrentHashMap<>();
    }

    // Roots (statics).
    static final Map<String, Customer> CUSTOMERS = new HashMap<>();
    static final ArrayList<Customer> CUSTOMER_LIST = new ArrayList<>();
    static final Map<Long, Order> ORDERS = new ConcurrentHashMap<>();
    static final ArrayList<Order> ORDER_LIST = new ArrayList<>();
    static final LinkedList<Event> EVENTS = new LinkedList<>();
    static final ArrayList<String> LOG = new ArrayList<>();
    static final ArrayList<Object> BUFFERS = new ArrayList<>();
    static final ArrayList<Object[]> INDEXES = new ArrayList<>();
    static final ArrayList<ChainNode> CHAINS = new ArrayList<>();
    static ChainNode longChain;
    static final TreeMap<Long, Sample> SERIES = new TreeMap<>();
    static DocNode document;
    static final ArrayList<SoftReference<byte[]>> IMAGE_CACHE = new ArrayList<>();
    static final ArrayList<WeakReference<Customer>> LISTENERS = new ArrayList<>();
    static final WeakHashMap<Customer, Session> SESSIONS = new WeakHashMap<>();
    static final ArrayList<PgStatement> OPEN_STATEMENTS = new ArrayList<>();
    static Timer sharedTimer;
    static final List<Thread> WORKERS = new ArrayList<>();
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    static String[] cities;
    static String[] zips;
    static Product[] products;
    static volatile Object sink;

    static String pick(String[] a) {
        return a[R.nextInt(a.length)];
    }

    static String digits(String prefix, long n, int width) {
        StringBuilder b = new StringBuilder(prefix);
        String s = Long.toString(n);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s).toString();
    }

    static final long EPOCH = 1_700_000_000_000L;

    // ------------------------------------------------------------------ builders
    static void pools(long target) {
        int nCities = 2000;
        cities = new String[nCities];
        objArr(nCities, nCities);
        for (int i = 0; i < nCities; i++) {
            cities[i] = str(pick(STREETS).split(" ")[0] + "-" + pick(LAST) + "-" + i);
        }
        int nZips = 20_000;
        zips = new String[nZips];
        objArr(nZips, nZips);
        for (int i = 0; i < nZips; i++) {
            zips[i] = str(digits("", 10_000 + i * 4L, 5));
        }
        int nProducts = (int) Math.max(500, Math.min(50_000, target / 200_000));
        products = new Product[nProducts];
        objArr(nProducts, nProducts);
        for (int i = 0; i < nProducts; i++) {
            // Product: sku, title, price refs + stock I = 28 field bytes.
            inst(28, 3);
            products[i] = new Product(str(digits("SKU-", i, 7)),
                    str(pick(LOG_WORDS) + " " + pick(STREETS) + " " + i),
                    boxDouble(1 + R.nextInt(100_000) / 100.0), R.nextInt(1000));
        }
    }

    static long customerSeq;

    static void addCustomer() {
        long id = ++customerSeq;
        String first = pick(FIRST);
        String last = pick(LAST);
        String key = str(digits("C-", id, 9));
        String name = str(first + " " + last);
        String email = str("user" + id + "." + (R.nextInt(90) + 10) + "@example.com");
        String city = cities[R.nextInt(cities.length)];
        // Address: street, zip, city refs + number I = 28.
        inst(28, 3);
        Address address = new Address(str(R.nextInt(200) + " " + pick(STREETS)),
                zips[R.nextInt(zips.length)], city, R.nextInt(200));
        // Customer: id J + 8 references = 72; orders/lastOrder are counted when set.
        inst(72, 6);
        Customer c = new Customer(id, name, email, city, boxInt(R.nextInt(100_000)),
                boxLong(EPOCH - R.nextLong(3_000_000_000L)), address);
        // HashMap.Node: hash I, key, value, next = 28; key + value + its one incoming ref.
        inst(28, 3);
        CUSTOMERS.put(key, c);
        add(CUSTOMER_LIST, c);
    }

    static long orderSeq;

    static void addOrder() {
        long id = 1_000_000 + ++orderSeq;
        Customer c = CUSTOMER_LIST.get(R.nextInt(CUSTOMER_LIST.size()));
        String note = null;
        int r = R.nextInt(10);
        if (r < 2) {
            note = str("please deliver after " + (8 + R.nextInt(10)) + ":00, ring twice");
        } else if (r < 3) {
            note = str("Bitte beim Nachbarn abgeben — " + pick(LAST) + " " + pick(FIRST));
        }
        // Order: id J, createdAt J + 7 references = 72.
        inst(72, 5 + (note != null ? 1 : 0) + (c.lastOrder != null ? 1 : 0));
        Order o = new Order(id, EPOCH + orderSeq * 1000, c, products[R.nextInt(products.length)],
                boxInt(1 + R.nextInt(R.nextInt(10) < 8 ? 5 : 500)),
                boxDouble(R.nextInt(1_000_000) / 100.0), note, c.lastOrder,
                STATUSES[R.nextInt(STATUSES.length)]);
        if (c.orders == null) {
            c.orders = newList();
            refs += 2; // Customer.orders, Customer.lastOrder
        }
        add(c.orders, o);
        c.lastOrder = o;
        // ConcurrentHashMap.Node: hash I, key, val, next = 28; the key is a new Long.
        inst(28, 3);
        ORDERS.put(boxLong(id), o);
        add(ORDER_LIST, o);
    }

    static int eventSeq;

    static void addEvent() {
        Object payload;
        int r = R.nextInt(10);
        if (r < 5) {
            payload = boxInt(R.nextInt());
        } else if (r < 8) {
            int n = 16 + R.nextInt(48);
            primArr(n, 1);
            payload = new byte[n];
        } else {
            payload = CUSTOMER_LIST.get(R.nextInt(CUSTOMER_LIST.size()));
        }
        // Event: timestamp J, kind, payload, sequence I = 28.
        inst(28, 2);
        Event e = new Event(EPOCH + eventSeq * 7L, pick(EVENT_KINDS), payload, eventSeq++);
        // LinkedList.Node: item, next, prev = 24 (next/prev of the last node become
        // non-null with the next add: counted here).
        inst(24, 3);
        EVENTS.add(e);
    }

    static void addLogLine() {
        StringBuilder b = new StringBuilder(120);
        b.append("2024-05-").append(10 + R.nextInt(20)).append("T12:")
                .append(10 + R.nextInt(50)).append(':').append(10 + R.nextInt(50))
                .append(".123Z ").append(R.nextInt(20) == 0 ? "WARN " : "INFO ")
                .append("[worker-").append(R.nextInt(16)).append("] ");
        // About 85 % of lines stay Latin-1; the rest carry a non-Latin-1 word (UTF-16).
        boolean utf16 = R.nextInt(100) < 15;
        int words = 4 + R.nextInt(12);
        for (int i = 0; i < words; i++) {
            String w = LOG_WORDS[R.nextInt(utf16 ? LOG_WORDS.length : 20)];
            b.append(w).append(' ');
        }
        b.append(R.nextInt(1_000_000));
        add(LOG, str(b.toString()));
    }

    static void addPrimitiveArray(long maxLength) {
        int len = (int) Math.min(maxLength, Math.exp(R.nextDouble() * Math.log(65_536)) - 1);
        int t = R.nextInt(100);
        Object a;
        if (t < 40) {
            byte[] b = new byte[len];
            for (int i = 0; i < len; i += 8) {
                b[i] = (byte) R.nextInt();
            }
            a = b;
            primArr(len, 1);
        } else if (t < 60) {
            a = new int[len];
            primArr(len, 4);
        } else if (t < 70) {
            a = new long[len];
            primArr(len, 8);
        } else if (t < 80) {
            a = new char[len];
            primArr(len, 2);
        } else if (t < 88) {
            a = new double[len];
            primArr(len, 8);
        } else if (t < 93) {
            a = new short[len];
            primArr(len, 2);
        } else if (t < 97) {
            a = new float[len];
            primArr(len, 4);
        } else {
            a = new boolean[len];
            primArr(len, 1);
        }
        add(BUFFERS, a);
    }

    static void addIndexArray() {
        int len = (int) (Math.exp(R.nextDouble() * Math.log(16_384)));
        Object[] a = new Object[len];
        int nonNull = 0;
        for (int i = 0; i < len; i++) {
            int r = R.nextInt(10);
            if (r < 6) {
                a[i] = ORDER_LIST.get(R.nextInt(ORDER_LIST.size()));
            } else if (r < 9) {
                a[i] = CUSTOMER_LIST.get(R.nextInt(CUSTOMER_LIST.size()));
            }
            if (a[i] != null) {
                nonNull++;
            }
        }
        objArr(len, nonNull);
        add(INDEXES, a);
    }

    // ChainNode: next, value, sequence I = 20.
    static ChainNode chain(int length, boolean withValues) {
        ChainNode head = null;
        for (int i = length - 1; i >= 0; i--) {
            ChainNode n = new ChainNode();
            n.next = head;
            n.sequence = i;
            if (withValues && R.nextBoolean()) {
                n.value = ORDER_LIST.get(R.nextInt(ORDER_LIST.size()));
            }
            inst(20, (head != null ? 1 : 0) + (n.value != null ? 1 : 0));
            head = n;
        }
        return head;
    }

    static long sampleSeq;

    static void addSample() {
        long key = EPOCH + sampleSeq++ * 1000 + R.nextInt(1000);
        // Sample: value D, timestamp J = 16. TreeMap.Entry: key, value, left, right,
        // parent + color Z = 41; key, value and (over the whole tree) one parent and one
        // child link per entry.
        inst(16, 0);
        inst(41, 4);
        SERIES.put(boxLong(key), new Sample(R.nextDouble() * 100, key));
    }

    static void buildDocument(long budget) {
        long start = bytes;
        ArrayList<DocNode> nodes = new ArrayList<>(); // scaffolding, garbage after
        // DocNode: tag, parent, children, text = 32.
        inst(32, 1);
        document = new DocNode("html", null);
        nodes.add(document);
        for (int i = 1; bytes - start < budget; i++) {
            DocNode parent = nodes.get((i - 1) / 4); // a complete 4-ary tree
            inst(32, 2);
            DocNode n = new DocNode(pick(TAGS), parent);
            if (parent.children == null) {
                parent.children = newList();
                refs++;
            }
            add(parent.children, n);
            if (R.nextInt(3) == 0) {
                n.text = str("Lorem ipsum " + pick(LOG_WORDS) + " " + i);
                refs++;
            }
            nodes.add(n);
        }
    }

    static void buildFinalizables(long budget) throws Exception {
        long start = bytes;
        // Timer thread's queue: TimerTask[] from 128, doubled when full (slot 0 unused).
        sharedTimer = new Timer("PostgreSQL-JDBC-SharedTimer-1", true);
        TimerTask keepAlive = new KeepAliveTask();
        // TimerTask: lock, state I, nextExecutionTime J, period J = 28; its lock Object.
        inst(28, 1);
        inst(0, 0);
        sharedTimer.schedule(keepAlive, 3_000_000L);
        int queued = 1;
        int id = 0;
        while (bytes - start < budget / 2) {
            PgStatement s = statement(++id);
            CancelTask t = new CancelTask(s);
            inst(36, 2);
            inst(0, 0);
            sharedTimer.schedule(t, 3_600_000L + id);
            t.cancel(); // query done: cancelled, but stays queued until due
            queued++;
            refs++; // queue slot
            if (id % 20 == 0) {
                PgStatement open = statement(-id);
                add(OPEN_STATEMENTS, open);
            }
        }
        long queueLength = 128;
        for (long n = 0; n < queued; n++) {
            if (n + 1 == queueLength) {
                queueLength *= 2;
            }
        }
        objArr(queueLength, 0);
        int connections = 0;
        while (bytes - start < budget) {
            int n = 512 + R.nextInt(3584);
            primArr(n, 1);
            String url = str("jdbc:postgresql://db-" + R.nextInt(8) + ".internal:5432/shop?connection="
                    + connections);
            // PooledConnection: id I, url, socketBuffer = 20; its Finalizer.
            inst(20, 2);
            finalizer();
            // ConcurrentHashMap.Node + a new Integer key.
            inst(28, 3);
            ConnectionRegistry.CACHE.put(boxInt(1000 + connections),
                    new PooledConnection(connections, url, new byte[n]));
            connections++;
        }
        table(connections, true);
        System.out.printf("finalizable: %,d statements queued in the Timer, %,d open, %,d pooled "
                + "connections in a static map%n", id, OPEN_STATEMENTS.size(), connections);
    }

    // java.lang.ref.Finalizer: Reference's referent, queue, next, discovered + Finalizer's
    // next, prev = 48; referent, queue and the unfinalized list's links.
    static void finalizer() {
        inst(48, 4);
    }

    static PgStatement statement(int id) {
        int n = 256 + R.nextInt(768);
        primArr(n, 1);
        String sql = str("SELECT o.id, o.total FROM orders o WHERE o.customer_id = " + id);
        // PgStatement: id I, sql, buffer = 20.
        inst(20, 2);
        finalizer();
        return new PgStatement(id, sql, new byte[n]);
    }

    static void buildReferences(long budget) {
        long start = bytes;
        int sessions = 0;
        while (bytes - start < budget) {
            int r = R.nextInt(3);
            if (r == 0) {
                int n = 1024 + R.nextInt(15 * 1024);
                primArr(n, 1);
                // SoftReference: Reference's referent, queue (ReferenceQueue.NULL when none
                // is given), next, discovered + timestamp J = 40.
                inst(40, 2);
                add(IMAGE_CACHE, new SoftReference<>(new byte[n]));
            } else if (r == 1) {
                // WeakReference: 32.
                inst(32, 2);
                add(LISTENERS,
                        new WeakReference<>(CUSTOMER_LIST.get(R.nextInt(CUSTOMER_LIST.size()))));
            } else {
                Customer c = CUSTOMER_LIST.get(sessions % CUSTOMER_LIST.size());
                if (SESSIONS.containsKey(c)) {
                    continue;
                }
                // Session: token, expiresAt J = 16. WeakHashMap.Entry: Reference's 4 +
                // value, hash I, next = 52; referent, queue, value, incoming.
                inst(16, 1);
                Session s = new Session(str(Long.toHexString(R.nextLong())), EPOCH + sessions);
                inst(52, 4);
                SESSIONS.put(c, s);
                sessions++;
            }
        }
        table(SESSIONS.size(), true);
    }

    static void buildWorkers(long budget) throws Exception {
        int workers = 4;
        CountDownLatch ready = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++) {
            SynchronousQueue<ArrayList<Object>> handOff = new SynchronousQueue<>();
            Thread t = new Thread(() -> {
                try {
                    ArrayList<Object> local = handOff.take(); // only this frame holds it
                    byte[] scratch = new byte[64 * 1024];
                    ready.countDown();
                    RELEASE.await();
                    sink = local.size() + scratch.length;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "request-worker-" + w);
            t.setDaemon(true);
            WORKERS.add(t);
            t.start();
            ArrayList<Object> data = newList();
            long start = bytes;
            while (bytes - start < budget / workers) {
                if (R.nextBoolean()) {
                    add(data, ORDER_LIST.get(R.nextInt(ORDER_LIST.size())));
                } else {
                    add(data, str("request-" + w + "-" + data.size() + " " + pick(LOG_WORDS)));
                }
            }
            primArr(64 * 1024, 1);
            handOff.put(data);
        }
        ready.await();
    }

    // ------------------------------------------------------------------ main
    interface Step {
        void run() throws Exception;
    }

    static void fill(String what, long budget, Step step) throws Exception {
        long start = bytes;
        long startObjects = objects;
        long t0 = System.nanoTime();
        while (bytes - start < budget) {
            step.run();
        }
        report(what, start, startObjects, t0);
    }

    static void report(String what, long start, long startObjects, long t0) {
        System.out.printf("  %-34s %,15d bytes %,13d objects %6.1f s%n", what, bytes - start,
                objects - startObjects, (System.nanoTime() - t0) / 1e9);
    }

    static void part(String what, Step step) throws Exception {
        long start = bytes;
        long startObjects = objects;
        long t0 = System.nanoTime();
        step.run();
        report(what, start, startObjects, t0);
    }

    // What an idle JDK 17 with this program's classes and the MBean server dumps
    // (measured): ~5.3 MB.
    static final long BASELINE_BYTES = 5_300_000;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java HeapGenerator <target-bytes> <out.hprof>");
            System.exit(2);
        }
        long target = Long.parseLong(args[0]);
        File out = new File(args[1]);
        if (out.exists()) {
            System.err.println("error: " + out + " exists");
            System.exit(2);
        }
        long t0 = System.nanoTime();
        // Started now, the platform MBean server (tens of thousands of objects, used for the
        // object count after the dump) is in the dump and in the count alike.
        ManagementFactory.getPlatformMBeanServer();
        long avail = Math.max(0, target - BASELINE_BYTES);
        // One chain of ~1 M nodes (45 B each), fewer only when it would exceed a third of a
        // small target.
        int longChainLength = (int) Math.min(1_000_000, avail / 3 / 45);
        long rest = Math.max(0, avail - 45L * longChainLength);
        System.out.printf("target %,d bytes; building (estimated dump bytes per part):%n", target);
        part("pools (cities, zips, products)", () -> pools(target));
        fill("customers (HashMap + list)", rest * 19 / 100, HeapGenerator::addCustomer);
        part("customers: hash table", () -> table(CUSTOMERS.size(), false));
        fill("orders (ConcurrentHashMap + list)", rest * 21 / 100, HeapGenerator::addOrder);
        part("orders: hash table", () -> table(ORDERS.size(), true));
        fill("events (LinkedList)", rest * 7 / 100, HeapGenerator::addEvent);
        fill("log lines (Latin-1/UTF-16)", rest * 8 / 100, HeapGenerator::addLogLine);
        // Primitive arrays: a quarter of their share in a few large arrays (above the 512 KiB
        // that needs a size side table), the rest log-uniform from 0 to 64 Ki elements.
        long primitives = rest * 12 / 100;
        fill("large primitive arrays", primitives / 4, () -> {
            int n = (int) Math.min(primitives / 4 + 1, 600_000 + R.nextInt(16 << 20));
            primArr(n, 1);
            add(BUFFERS, new byte[n]);
        });
        fill("primitive arrays", primitives - primitives / 4,
                () -> addPrimitiveArray(Long.MAX_VALUE));
        fill("Object[] indexes", rest * 8 / 100, HeapGenerator::addIndexArray);
        fill("short chains", rest * 7 / 100,
                () -> add(CHAINS, chain(2 + R.nextInt(200), true)));
        part("long chain (" + longChainLength + " nodes)",
                () -> longChain = chain(longChainLength, false));
        fill("red-black tree (TreeMap)", rest * 4 / 100, HeapGenerator::addSample);
        part("document tree (4-ary)", () -> buildDocument(rest * 4 / 100));
        part("finalizable (Timer queue, static map)", () -> buildFinalizables(rest * 3 / 100));
        part("soft/weak references", () -> buildReferences(rest * 3 / 100));
        // The last part (~2 %) takes what is left of the target: the pools, the hash tables
        // and the other parts' overshoot come out of it.
        part("worker threads' locals", () -> buildWorkers(Math.max(0, avail - bytes)));
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("built in %.1f s: estimated %,d bytes, %,d objects, %,d references "
                + "(%.1f B/object, %.2f references/object), plus the JDK's ~%,d bytes%n",
                buildSeconds, bytes, objects, refs, (double) bytes / objects,
                (double) refs / objects, BASELINE_BYTES);

        long t1 = System.nanoTime();
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .dumpHeap(out.getPath(), true);
        double dumpSeconds = (System.nanoTime() - t1) / 1e9;
        long size = out.length();
        long jvmObjects = jvmObjectCount();
        System.out.printf("dumped in %.1f s: %s%n", dumpSeconds, out);
        System.out.printf("file size: %,d bytes (%.1f %% of the target %,d)%n", size,
                100.0 * size / target, target);
        System.out.printf("objects (JVM histogram, -all right after the dump): %,d (%.1f B/object)%n",
                jvmObjects, (double) size / jvmObjects);
        System.out.printf("references (generator's estimate): ~%,d (%.2f/object)%n", refs,
                (double) refs / jvmObjects);
        RELEASE.countDown();
        sink = new Object[] {CUSTOMERS, ORDERS, EVENTS, LOG, BUFFERS, INDEXES, CHAINS, longChain,
            SERIES, document, IMAGE_CACHE, LISTENERS, SESSIONS, OPEN_STATEMENTS, sharedTimer};
        if (Math.abs(size - target) > target * 0.15) {
            System.err.printf("error: the dump is %.1f %% of the target, outside +-15 %%%n",
                    100.0 * size / target);
            System.exit(3);
        }
        System.exit(0);
    }

    // `GC.class_histogram -all` skips the full GC: run right after dumpHeap(live=true), it
    // counts what the dump holds (plus the few objects allocated since).
    static long jvmObjectCount() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[] {"-all"}}, new String[] {String[].class.getName()});
        for (String line : histogram.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("Total")) {
                return Long.parseLong(f[1]);
            }
        }
        return -1;
    }
}
