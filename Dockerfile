# One image for every Ferry service: `docker run ferry <command> ...` (see docker-compose.yml).
# Build stage: the same Maven build as ./ferry, without tests (CI runs them).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests -pl cli -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --home /var/lib/ferry ferry && mkdir -p /var/lib/ferry && chown ferry /var/lib/ferry
COPY --from=build /src/cli/target/ferry.jar /opt/ferry/ferry.jar
USER ferry
WORKDIR /var/lib/ferry
EXPOSE 8080 8082
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/ferry/ferry.jar"]
CMD ["--help"]
